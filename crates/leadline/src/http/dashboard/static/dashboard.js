// Live parts of a page: an element with data-live="URL" listens to the
// server-sent events there and takes the HTML of each event named by its
// data-live-event (rendered, and escaped, by the server's templates): the
// conversation list's rows; a conversation's panel, transcript and
// activity. Parts naming the same URL share one connection.
"use strict";
if (window.EventSource) {
  const sources = new Map();
  for (const part of document.querySelectorAll("[data-live]")) {
    const url = part.dataset.live;
    if (!sources.has(url)) {
      sources.set(url, new EventSource(url));
    }
    sources.get(url).addEventListener(part.dataset.liveEvent, (event) => {
      part.innerHTML = event.data;
    });
  }
}
