import { Directive, Field, ID, ObjectType } from "type-graphql";

/**
 * The registry's Registrant as every other subgraph sees it: known only by its key. A subgraph adds
 * its own fields to it with a `@FieldResolver` on this class, and lists it in `orphanedTypes`.
 */
@ObjectType("Registrant")
@Directive('@key(fields: "id")')
export class RegistrantRef {
  @Field(() => ID) id!: string;
}
