/**
 * Flow storage in IndexedDB: text by key, one object store. The Rust `FlowStore` above it does
 * ids, YAML, sorting and paging; a write resolves once its transaction has committed, so a
 * saved flow survives a reload or a crash right after.
 */

const DATABASE = "atomiton-conductor";
/** Run records (execution history), one text per run, apart from the flows. */
export const HISTORY_DATABASE = "atomiton-conductor-history";
/** The node result cache's entries, one text per entry, when it is kept beside the history. */
export const CACHE_DATABASE = "atomiton-conductor-cache";
/** Active triggers (schedules) beside a kept history, one text per trigger with its open claims. */
export const TRIGGERS_DATABASE = "atomiton-conductor-triggers";
/** The triggers' fire records, one text per fire, apart: the timer's step never lists them. */
export const FIRES_DATABASE = "atomiton-conductor-trigger-fires";
const STORE = "flows";

export type StorageFunctions = {
  keys(): Promise<string[]>;
  read(key: string): Promise<string | undefined>;
  write(key: string, text: string): Promise<void>;
  remove(key: string): Promise<boolean>;
};

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

/** Storage functions over the page's IndexedDB, or `undefined` where there is none. */
export function indexedDbStorage(database = DATABASE): StorageFunctions | undefined {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) return undefined;
  let opened: Promise<IDBDatabase> | undefined;
  const db = () => {
    opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const open = idb.open(database, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error("IndexedDB could not be opened"));
    });
    return opened;
  };
  return {
    async keys() {
      const tx = (await db()).transaction(STORE, "readonly");
      return (await request(tx.objectStore(STORE).getAllKeys())).map(String);
    },
    async read(key) {
      const tx = (await db()).transaction(STORE, "readonly");
      const value = await request(tx.objectStore(STORE).get(key));
      return typeof value === "string" ? value : undefined;
    },
    async write(key, text) {
      const tx = (await db()).transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(text, key);
      await committed(tx);
    },
    async remove(key) {
      const tx = (await db()).transaction(STORE, "readwrite");
      const store = tx.objectStore(STORE);
      const existed = (await request(store.count(key))) > 0;
      store.delete(key);
      await committed(tx);
      return existed;
    },
  };
}
