import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectHost } from './bridge/bridge.js';
import { StoreContext } from './components/StoreContext.js';
import { createAppStore, type AppStore } from './store/store.js';
import { applyTheme, loadTheme } from './features/theme.js';
import './styles.css';

applyTheme(loadTheme());

let store: AppStore | null = null;
// Events sent while the socket was down are lost: a reconnect reloads the inbox and the voice state once.
let wasDown = false;
const host = connectHost((connected) => {
  store?.setState({ connected });
  if (!connected) wasDown = true;
  else if (wasDown && store) {
    void store.getState().loadInbox();
    void store.getState().loadVoice();
  }
});
store = createAppStore(host);
store.setState({ connected: true });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
);
