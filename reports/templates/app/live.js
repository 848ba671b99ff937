// cchc serve: keep the open page in step with the files on disk, and preview uploads.
// Server-sent events say that a new evaluation exists; the page then fetches itself again
// and swaps the banner and the results (#banner, #live) in place. No framework, no build.
"use strict";
(function () {
  const state = document.getElementById("live-state");
  const byId = (id, doc) => (doc || document).getElementById(id);
  let busy = null;

  async function refresh(version) {
    const response = await fetch(location.href, {cache: "no-store"});
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const id of ["banner", "live", "updated"]) {
      const fresh = byId(id, doc), old = byId(id);
      if (fresh && old) old.replaceWith(document.adoptNode(fresh));
    }
    document.title = doc.title;
    document.dispatchEvent(new CustomEvent("cchc:updated", {detail: {version: version}}));
  }

  function listen() {
    const events = new EventSource("/events");
    events.addEventListener("open", () => state && state.classList.add("on"));
    events.addEventListener("error", () => state && state.classList.remove("on"));
    events.addEventListener("update", (event) => {
      const data = JSON.parse(event.data);
      if (state) state.classList.toggle("busy", Boolean(data.busy));
      if (data.busy) return;  // a file changed; its evaluation follows
      const live = byId("live");
      if (live && String(data.version) === live.dataset.version) return;
      // One fetch at a time; a newer event while one runs fetches again afterwards.
      busy = (busy || Promise.resolve()).then(() => {
        const now = byId("live");
        if (now && String(data.version) === now.dataset.version) return null;
        return refresh(data.version);
      }).catch(() => null);
    });
  }

  async function upload(file) {
    const preview = byId("preview");
    if (!file || !preview) return;
    const response = await fetch("/upload?name=" + encodeURIComponent(file.name), {
      method: "POST", body: file, headers: {"X-CCHC-Upload": "1"}, cache: "no-store"});
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const section = byId("preview-result", doc);
    preview.replaceChildren(...(section ? [document.adoptNode(section)] : []));
  }

  function dropZone() {
    const zone = byId("drop-zone"), input = byId("upload");
    if (!zone || !input) return;
    input.addEventListener("change", () => upload(input.files[0]));
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      upload(e.dataTransfer.files[0]);
    });
  }

  listen();
  dropZone();
})();
