// What an example page shows: its status, the queue's records (one JSON line each, in backlog
// order) and a log of what happened, all below the page's title.
export class PageView {
  constructor() {
    add(document.body, 'h1').textContent = document.title;
    this.statusLine = add(document.body, 'p');
    this.recordLines = add(document.body, 'pre');
    this.logLines = add(document.body, 'ol');
  }

  status(text) {
    this.statusLine.textContent = text;
    this.log(text);
  }

  records(records) {
    this.recordLines.textContent = records.map((record) => JSON.stringify(record)).join('\n');
  }

  log(text) {
    add(this.logLines, 'li').textContent = `${new Date().toLocaleTimeString()} ${text}`;
  }

  /** A text area holding `initial` and a button that hands its text to `submit`. */
  form(label, initial, submit) {
    const form = document.body.insertBefore(document.createElement('form'), this.recordLines);
    const text = add(form, 'textarea');
    text.value = initial;
    text.cols = 80;
    add(form, 'button').textContent = label;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit(text.value);
    });
  }
}

function add(parent, tag) {
  return parent.appendChild(document.createElement(tag));
}
