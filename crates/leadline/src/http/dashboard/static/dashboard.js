// Live parts of a page: an element with data-live="URL" listens to the
// server-sent events there and takes the HTML of each event named by its
// data-live-event (rendered, and escaped, by the server's templates): the
// conversation list's rows, a conversation's transcript.
"use strict";
if (window.EventSource) {
  for (const part of document.querySelectorAll("[data-live]")) {
    const source = new EventSource(part.dataset.live);
    source.addEventListener(part.dataset.liveEvent, (event) => {
      part.innerHTML = event.data;
    });
  }
}
