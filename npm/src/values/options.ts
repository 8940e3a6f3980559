/** What the codec's writers and readers are told: where binary data goes and comes from, and how handles, slices and tables are resolved. */

/** Where binary data goes while writing: beside the text (`"i"` tags) or inline as base64. */
export type EncodeOptions = {
  /** Collects binary data to pass beside the text; without it, bytes are written as base64. */
  buffers?: Uint8Array[];
  /**
   * Gives values the engine should not look inside (functions, class instances...) a handle
   * id to stand for them; without it such values are written as structured clone would
   * (class instances as plain objects) or refused (functions, symbols).
   */
  handle?: (value: object | symbol) => number;
  /**
   * Leaves out object properties whose value is `undefined`, as `JSON.stringify` does: for
   * documents (a flow definition, run options), where an absent field and an `undefined` one
   * mean the same. Values (a node's output) keep them.
   */
  omitUndefined?: boolean;
  /**
   * The caller passes `buffers` on only once the whole text is written, so a value written in
   * pieces (`writeSliced`) may still add to them: its large arrays of numbers then cross as
   * buffers of doubles.
   */
  buffersAfterText?: boolean;
  /**
   * With `buffersAfterText`: large arrays of records of one shape cross as tables of columns
   * (`rows` tags), for an engine that reads them (`readsTables`) — everywhere, or where this
   * says, given the array's path (a document's own structure is read as typed fields, which
   * take no tags).
   */
  tables?: boolean | ((path: ReadonlyArray<string | number>) => boolean);
};

/** Where tags of binary data and handles are looked up while reading. */
export type DecodeOptions = {
  buffers?: ArrayLike<Uint8Array>;
  /** The value a `js` handle stands for. */
  resolve?: (id: number) => unknown;
  /** The array a `slices` tag stands for (filled later: see `values/sliced.ts`). */
  slices?: (index: number) => unknown[];
  /**
   * The array a `rows` tag stands for, given its tables' buffer indices (filled later: see
   * `values/sliced.ts`); without it the tables are read at once.
   */
  rows?: (indices: number[]) => unknown[];
};
