/**
 * One element of a `Sec-WebSocket-Extensions` header: an extension name and
 * its parameters in the order they were given. Parameters are kept as a list
 * (not an object) so duplicates can be detected and no inherited key such as
 * `constructor` can ever be mistaken for a parameter.
 */
export interface ExtensionOffer {
  name: string;
  /** `true` stands for a parameter given without a value. Quoted values are unquoted. */
  params: Array<[name: string, value: string | true]>;
}
