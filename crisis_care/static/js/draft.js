// Keep a copy of the assessment record's free text in this browser while it is being typed,
// so nothing is lost if the session expires or the page is closed before "Save draft".
//
// The copy is keyed by the assessment and the record version the page was opened at. On load:
// - after a successful save (data-draft-state="saved") the copies it saved are cleared;
// - after the server re-showed what was typed but did not save it (data-draft-state="kept")
//   nothing is restored and what the form now holds becomes the copy;
// - otherwise a copy that differs from the page is put back, with a message saying so. If the
//   record has been saved by someone since the copy was made, the form goes back to the older
//   version number so that saving shows the differences instead of overwriting them.
// Copies older than a day are dropped. Without JavaScript the form works as it always does.
const form = document.getElementById("assessment-record");

const PREFIX = "crisis-care:draft:assessment:";
const MAX_AGE_MS = 24 * 60 * 60 * 1000;
const SAVE_EVERY_MS = 5000;

const storage = (() => {
  try {
    const probe = `${PREFIX}probe`;
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    return window.localStorage;
  } catch {
    return null; // Private browsing or storage turned off: the form still works.
  }
})();

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

// Times as the NHS style guide writes them: 9:05am, 2pm, midday, midnight.
function timeText(date) {
  const hours = date.getHours();
  const minutes = date.getMinutes();
  if (minutes === 0 && hours === 12) return "midday";
  if (minutes === 0 && hours === 0) return "midnight";
  const hour = hours % 12 || 12;
  const suffix = hours < 12 ? "am" : "pm";
  return minutes === 0 ? `${hour}${suffix}` : `${hour}:${String(minutes).padStart(2, "0")}${suffix}`;
}

function whenText(date) {
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return timeText(date);
  return `${date.getDate()} ${MONTHS[date.getMonth()]} at ${timeText(date)}`;
}

function keysFor(id) {
  const keys = [];
  for (let i = 0; i < storage.length; i += 1) {
    const key = storage.key(i);
    if (key && key.startsWith(`${PREFIX}${id}:v`)) keys.push(key);
  }
  return keys;
}

function read(key) {
  try {
    const draft = JSON.parse(storage.getItem(key));
    return draft && typeof draft.fields === "object" ? draft : null;
  } catch {
    return null;
  }
}

function start() {
  const id = form.dataset.draftId;
  const state = form.dataset.draftState;
  const versionInput = form.querySelector('input[name="version"]');
  const pageVersion = Number(versionInput?.defaultValue || 0);
  const textareas = Array.from(form.querySelectorAll("textarea[name]"));
  const key = `${PREFIX}${id}:v${pageVersion}`;
  let dirty = false;

  const clearAll = () => keysFor(id).forEach((k) => storage.removeItem(k));

  // Forget copies of other records that are more than a day old.
  for (let i = storage.length - 1; i >= 0; i -= 1) {
    const k = storage.key(i);
    if (k && k.startsWith(PREFIX)) {
      const old = read(k);
      if (!old || Date.now() - old.savedAt > MAX_AGE_MS) storage.removeItem(k);
    }
  }

  if (state === "saved") {
    // Just saved: copies made before this version are on the server now. (Anything typed
    // since, at this version, survives a reload.)
    keysFor(id)
      .filter((k) => (read(k)?.version ?? 0) < pageVersion)
      .forEach((k) => storage.removeItem(k));
    const url = new URL(window.location.href);
    url.searchParams.delete("saved");
    window.history.replaceState(window.history.state, "", url);
  }
  if (state === "kept") {
    // The server has put back what was typed but not saved it: keep this copy instead.
    clearAll();
    dirty = true;
  } else {
    const drafts = keysFor(id)
      .map((k) => ({ key: k, draft: read(k) }))
      .filter((d) => d.draft && d.draft.version <= pageVersion)
      .sort((a, b) => b.draft.savedAt - a.draft.savedAt);
    const latest = drafts[0];
    if (latest) {
      const changed = textareas.filter(
        (t) => typeof latest.draft.fields[t.name] === "string" && latest.draft.fields[t.name] !== t.value,
      );
      if (changed.length) {
        changed.forEach((t) => {
          t.value = latest.draft.fields[t.name];
        });
        const savedSince = latest.draft.version < pageVersion;
        if (savedSince && versionInput) versionInput.value = String(latest.draft.version);
        showRestored(new Date(latest.draft.savedAt), savedSince, () => {
          textareas.forEach((t) => {
            t.value = t.defaultValue;
          });
          if (versionInput) versionInput.value = versionInput.defaultValue;
          clearAll();
        });
        dirty = true;
      }
    }
    // Older copies are now either restored into the form or superseded by it.
    keysFor(id).filter((k) => k !== key).forEach((k) => storage.removeItem(k));
  }

  const save = () => {
    if (!dirty) return;
    const fields = {};
    textareas.forEach((t) => {
      fields[t.name] = t.value;
    });
    const version = Number(versionInput?.value || pageVersion);
    try {
      storage.setItem(key, JSON.stringify({ version, savedAt: Date.now(), fields }));
      dirty = false;
    } catch {
      // Storage full: keep going; the server copy is still there.
    }
  };

  let pending = null;
  form.addEventListener("input", (event) => {
    if (!(event.target instanceof HTMLTextAreaElement)) return;
    dirty = true;
    if (pending === null) {
      pending = window.setTimeout(() => {
        pending = null;
        save();
      }, 500);
    }
  });
  save();
  window.setInterval(save, SAVE_EVERY_MS);
  window.addEventListener("pagehide", save);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save();
  });
}

function showRestored(when, savedSince, discard) {
  const region = document.getElementById("draft-status");
  if (!region) return;
  const inset = document.createElement("div");
  inset.className = "nhsuk-inset-text";
  const hidden = document.createElement("span");
  hidden.className = "nhsuk-u-visually-hidden";
  hidden.textContent = "Information: ";
  const message = document.createElement("p");
  message.textContent = `Your unsaved notes from ${whenText(when)} have been restored.`;
  if (savedSince) {
    message.textContent +=
      " Someone has saved this record since: when you save, you will be shown what differs.";
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "nhsuk-button nhsuk-button--secondary nhsuk-button--small";
  button.textContent = "Discard the restored notes";
  button.addEventListener("click", () => {
    discard();
    region.replaceChildren();
  });
  inset.append(hidden, message, button);
  region.replaceChildren(inset);
}

if (form && storage && form.dataset.draftId) start();
