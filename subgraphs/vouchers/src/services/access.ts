import { forbidden, type Viewer } from "@g2p/kit";

/** Every voucher operation is scoped to the issuing program: a scoped token sees only its programs. */
export function assertProgramScope(viewer: Viewer, programId: string): void {
  if (viewer.programIds.length > 0 && !viewer.programIds.includes(programId)) {
    throw forbidden(`Not allowed for program ${programId}`);
  }
}
