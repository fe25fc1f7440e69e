// A server-sent-events parser (the text/event-stream format), fed with decoded text as it arrives.

export class SseParser {
  constructor() {
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.id = null;
  }

  /** Feed more text; returns the events it completed: {event, data, id}, and 'comment' marks. */
  feed(text) {
    this.buffer += text;
    const found = [];
    let start = 0;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer.slice(start));
      if (!match) break;
      const end = start + match.index;
      // A lone \r at the very end may be the first half of \r\n: wait for more text.
      if (match[0] === '\r' && end + 1 === this.buffer.length) break;
      this.line(this.buffer.slice(start, end), found);
      start = end + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    return found;
  }

  line(text, found) {
    if (text === '') {
      if (this.data.length) found.push({event: this.event || 'message', data: this.data.join('\n'), id: this.id});
      this.reset();
      return;
    }
    if (text.startsWith(':')) {
      found.push({event: 'comment', data: text.slice(1).trim(), id: null});
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}
