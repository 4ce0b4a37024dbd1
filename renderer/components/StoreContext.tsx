import { createContext, useContext } from 'react';
import type { AppState, AppStore } from '../store/store.js';

export const StoreContext = createContext<AppStore | null>(null);

/** Atomic selector over the bound store. */
export function useApp<T>(selector: (s: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreContext missing');
  return store(selector);
}
