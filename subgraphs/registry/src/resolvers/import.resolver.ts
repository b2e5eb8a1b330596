import { type SubgraphContext } from "@g2p/kit";
import { GraphQLJSON, GraphQLJSONObject } from "graphql-scalars";
import { Arg, Authorized, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { ImportIssue, RegistryImport } from "../entities/import.entity";
import type { RegistryLoaders } from "../loaders";
import { importCsv, importFromOdk, importJson } from "../services/import/import.service";
import type { OdkMapping } from "../services/import/mapping";

type RegistryContext = SubgraphContext<RegistryLoaders>;

@InputType({ description: "Pull a form's submissions from ODK Central (OData), mapped by a declarative mapping." })
export class OdkImportInput {
  @Field({ description: "Central's base URL, e.g. https://central.example.org" }) baseUrl!: string;
  @Field(() => Int) projectId!: number;
  @Field() formId!: string;
  @Field(() => String, { nullable: true, description: "With password: a session (POST /v1/sessions), or HTTP Basic if basicAuth." }) email?: string | null;
  @Field(() => String, { nullable: true }) password?: string | null;
  @Field(() => Boolean, { nullable: true }) basicAuth?: boolean | null;
  @Field(() => String, { nullable: true, description: "An existing bearer token instead of email/password." }) token?: string | null;
  @Field(() => GraphQLJSONObject, { description: "See docs/registry.md (ODK mapping)." }) mapping!: Record<string, unknown>;
  @Field(() => String, { nullable: true, description: "Only submissions after this instant ($filter on __system/submissionDate)." }) since?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Continue after the newest submission the previous import of this form saw." }) delta?: boolean | null;
  @Field(() => Int, { nullable: true, description: "OData $top per page (default 250)." }) pageSize?: number | null;
}

@ObjectType()
export class ImportProgress {
  @Field({ description: "PENDING, RUNNING, COMPLETED or FAILED (the job's state)." }) status!: string;
  @Field(() => Int) totalChunks!: number;
  @Field(() => Int) doneChunks!: number;
  @Field(() => Int) failedChunks!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
}

@Resolver(() => RegistryImport)
export class ImportResolver {
  @Authorized("registrant:write")
  @Mutation(() => RegistryImport, { description: "CSV text with a header row (columns in docs/registry.md), streamed and imported as a job." })
  importRegistrantsCsv(@Arg("csv") csv: string, @Ctx() ctx: RegistryContext) {
    return importCsv(ctx.em, ctx.jobs, ctx.viewer, csv);
  }

  @Authorized("registrant:write")
  @Mutation(() => RegistryImport, { description: "A JSON array of row objects with the CSV column names." })
  importRegistrantsJson(@Arg("rows", () => GraphQLJSON) rows: unknown, @Ctx() ctx: RegistryContext) {
    return importJson(ctx.em, ctx.jobs, ctx.viewer, rows);
  }

  @Authorized("registrant:write")
  @Mutation(() => RegistryImport)
  importFromOdkCentral(@Arg("input") input: OdkImportInput, @Ctx() ctx: RegistryContext) {
    return importFromOdk(ctx.em, ctx.jobs, ctx.viewer, { ...input, mapping: input.mapping as unknown as OdkMapping });
  }

  @Authorized("registrant:read")
  @Query(() => RegistryImport, { nullable: true })
  registryImport(@Arg("id", () => ID) id: string, @Ctx() ctx: RegistryContext) {
    return ctx.em.findOne(RegistryImport, id);
  }

  @FieldResolver(() => ImportProgress)
  async progress(@Root() imp: RegistryImport, @Ctx() ctx: RegistryContext): Promise<ImportProgress> {
    const job = imp.jobId ? await ctx.jobs.get(imp.jobId) : null;
    if (!job) return { status: "PENDING", totalChunks: 0, doneChunks: 0, failedChunks: 0, error: null };
    return { status: job.status, totalChunks: job.totalChunks, doneChunks: job.doneChunks, failedChunks: job.failedChunks, error: job.error ?? null };
  }

  @Authorized("personal_data:read")
  @FieldResolver(() => [ImportIssue], { description: "Refused rows, by row number (messages may quote the bad value: personal data)." })
  issues(
    @Root() imp: RegistryImport,
    @Arg("first", () => Int, { defaultValue: 100 }) first: number,
    @Arg("afterRow", () => Int, { nullable: true }) afterRow: number | null,
    @Ctx() ctx: RegistryContext,
  ) {
    return ctx.em.find(ImportIssue, { importId: imp.id, ...(afterRow ? { rowNo: { $gt: afterRow } } : {}) }, { orderBy: { rowNo: "asc", field: "asc" }, limit: Math.min(Math.max(first, 1), 1000) });
  }
}
