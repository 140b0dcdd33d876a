// Start the NHS.UK frontend components. Pages work without this; it adds enhancements only.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();

// Unsaved assessment notes kept in this browser (draft.js) are clinical text: remove them
// when the user signs out, so the next person at a shared computer cannot read them.
const DRAFT_PREFIX = "crisis-care:draft:";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.action.endsWith("/sign-out/")) return;
  try {
    for (let i = window.localStorage.length - 1; i >= 0; i -= 1) {
      const key = window.localStorage.key(i);
      if (key && key.startsWith(DRAFT_PREFIX)) window.localStorage.removeItem(key);
    }
  } catch {
    // Storage is unavailable (private mode): there is nothing to clear.
  }
});
