import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './app.css';
import { App } from './App.tsx';
import { useApiBase } from './api/client.ts';
import { completeHostedLogin, hostedLogin, loadHostedLoginConfig } from './hosted-login.ts';
import { session } from './session.ts';

// On AWS the stage's config.json names the API and the hosted login; a login's return brings a code to exchange.
const config = await loadHostedLoginConfig();
if (config) {
  hostedLogin.value = config;
  useApiBase(config.apiUrl);
  const idToken = await completeHostedLogin(config, new URL(location.href));
  if (idToken) {
    session.login(idToken);
    history.replaceState(null, '', `${location.pathname}#/progress`);
  }
}

createApp(App).mount('#app');
