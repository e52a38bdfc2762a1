/** @jsxImportSource preact */
import { render } from 'preact';
import { App } from './app.js';
import { signIn } from './api.js';
import './style.css';

const root = document.getElementById('app') as HTMLElement;
void signIn().then((outcome) => render(<App signIn={outcome} />, root));
