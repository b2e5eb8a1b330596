import { registrantRefType } from "@g2p/kit";

/** The registry's Registrant, known here by its key; this subgraph adds its own fields to it. */
export const RegistrantRef = registrantRefType();
