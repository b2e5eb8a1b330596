import { Directive, Field, ID, ObjectType } from "type-graphql";

/**
 * The registry's Registrant as another subgraph sees it: known only by its key. Each subgraph calls
 * this once and adds its own fields with `@FieldResolver`s on the class it gets, listing the class in
 * `orphanedTypes`. It must be a fresh class per subgraph: type-graphql keeps field resolvers in a
 * global store keyed by class, so one shared class would leak every subgraph's fields into the others
 * whenever two subgraphs live in one process (tests, the schema printer).
 *
 * Fields a subgraph adds here should be nullable: if that subgraph is down, the gateway nulls only
 * its fields and the rest of the registrant still arrives (a non-null field would null the whole
 * registrant).
 */
export function registrantRefType() {
  @ObjectType("Registrant")
  @Directive('@key(fields: "id")')
  class RegistrantRef {
    @Field(() => ID) id!: string;
  }
  return RegistrantRef;
}

/** What a RegistrantRef holds at run time: the key from the gateway's representation. */
export interface RegistrantKey {
  id: string;
}
