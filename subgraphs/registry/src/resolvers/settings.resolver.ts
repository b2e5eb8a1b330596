import { audit, badInput, type SubgraphContext } from "@g2p/kit";
import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { IdType } from "../entities/identifier.entity";
import type { RegistryLoaders } from "../loaders";
import { getSetting, putSetting, SETTING } from "../services/settings.service";
import { isValidJsonSchema } from "../services/validation";

type RegistryContext = SubgraphContext<RegistryLoaders>;

@Resolver()
export class SettingsResolver {
  @Authorized("registrant:read")
  @Query(() => [IdType])
  idTypes(@Ctx() ctx: RegistryContext) {
    return ctx.em.find(IdType, {}, { orderBy: { name: "asc" } });
  }

  @Authorized("registrant:write")
  @Mutation(() => IdType, { description: "Creates or replaces an identifier type and its validation pattern." })
  async defineIdType(
    @Arg("name") name: string,
    @Arg("pattern", () => String, { nullable: true }) pattern: string | null,
    @Arg("description", () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: RegistryContext,
  ) {
    const code = name.trim().toUpperCase();
    if (!/^[A-Z][A-Z0-9_]{1,59}$/.test(code)) throw badInput("name must be an upper-case code such as NATIONAL_ID", "name");
    if (pattern) {
      try {
        new RegExp(pattern);
      } catch {
        throw badInput("pattern is not a valid regular expression", "pattern");
      }
    }
    return ctx.em.transactional(async (tx) => {
      let t = await tx.findOne(IdType, { name: code });
      if (t) Object.assign(t, { pattern, description });
      else tx.persist((t = tx.create(IdType, { name: code, pattern, description })));
      audit(tx, ctx, { action: "registry.id_type.define", entityType: "IdType", entityId: code, changes: { pattern, description } });
      return t;
    });
  }

  @Authorized("registrant:read")
  @Query(() => GraphQLJSONObject, { nullable: true, description: "The deployment's JSON schema for extra attributes." })
  extraAttributesSchema(@Ctx() ctx: RegistryContext) {
    return getSetting(ctx.em, SETTING.extraSchema);
  }

  @Authorized("registrant:write")
  @Mutation(() => Boolean, { description: "Sets the JSON schema (draft-07) extra attributes are validated against." })
  async setExtraAttributesSchema(@Arg("schema", () => GraphQLJSONObject) schema: Record<string, unknown>, @Ctx() ctx: RegistryContext) {
    const problem = isValidJsonSchema(schema);
    if (problem) throw badInput(`not a valid JSON schema: ${problem}`, "schema");
    await ctx.em.transactional(async (tx) => {
      audit(tx, ctx, { action: "registry.settings.extra_schema", entityType: "RegistrySetting", entityId: SETTING.extraSchema, changes: { schema } });
      await putSetting(tx, SETTING.extraSchema, schema);
    });
    return true;
  }
}
