import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './app.css';
import { App } from './App.tsx';

createApp(App).mount('#app');
