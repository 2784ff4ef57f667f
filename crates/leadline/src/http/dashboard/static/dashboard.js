// The live conversation list: /events sends the rendered rows (escaped by
// the server's templates) whenever they change; they replace the table's.
"use strict";
const rows = document.querySelector("tbody[data-live]");
if (rows && window.EventSource) {
  const source = new EventSource(rows.dataset.live);
  source.addEventListener("rows", (event) => {
    rows.innerHTML = event.data;
  });
}
