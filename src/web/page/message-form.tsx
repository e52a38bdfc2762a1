/** @jsxImportSource preact */
// The message box a job page and a run page share: a text, its send button, and the page's other buttons beside it.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** `send` resolves true when the message went: the box is emptied then. */
export function MessageForm(props: { placeholder: string; label: string; send: (text: string) => Promise<boolean>; children?: ComponentChildren }) {
  const [text, setText] = useState('');
  return (
    <form
      class="send"
      onSubmit={(event) => {
        event.preventDefault();
        void props.send(text).then((done) => done && setText(''));
      }}
    >
      <textarea name="message" rows={2} placeholder={props.placeholder} value={text} onInput={(event) => setText((event.target as HTMLTextAreaElement).value)} />
      <div class="buttons">
        <button type="submit" class="primary" disabled={text.trim() === ''}>
          {props.label}
        </button>
        {props.children}
      </div>
    </form>
  );
}
