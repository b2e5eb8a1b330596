/**
 * The public benchmark's heavy operation: depth 8, fragments, every subgraph, `@requires`
 * (shippingEstimate needs price and weight from products) and `@provides` (author username).
 */
export const HEAVY_QUERY = /* GraphQL */ `
  fragment U on User { id username name }
  fragment R on Review { id body }
  fragment P on Product { inStock name price shippingEstimate upc weight }

  query Heavy {
    users {
      ...U
      reviews {
        ...R
        product {
          ...P
          reviews { ...R author { ...U reviews { ...R product { ...P } } } }
        }
      }
    }
    topProducts {
      ...P
      reviews { ...R author { ...U reviews { ...R product { ...P } } } }
    }
  }
`;

export const HEAVY_BODY = JSON.stringify({ query: HEAVY_QUERY, operationName: "Heavy" });
