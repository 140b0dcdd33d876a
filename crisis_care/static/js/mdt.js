// The MDT review page: Ctrl+Enter (or Cmd+Enter) saves from anywhere in the form, including
// the decision box, where Enter starts a new line. Without JS, Tab to the button or press
// Enter in a one-line box.
const form = document.getElementById("review-form");

if (form) {
  document.getElementById("save-hint")?.removeAttribute("hidden");
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
