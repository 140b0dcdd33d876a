// Keep the triage queue live without losing the user's place. Without JS the page
// still works: "Refresh now" reloads it.
const live = document.getElementById("queue-live");

if (live) {
  const seconds = Number(live.dataset.refreshSeconds || 30);

  const refresh = async () => {
    // Don't swap the table while the page is hidden or someone is using the filters.
    if (document.hidden || document.activeElement?.closest("#queue-filters")) return;
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "rows");
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    } catch {
      return; // Offline for a moment: try again next time.
    }
    if (!response.ok || response.redirected) return; // e.g. the session ended: leave the page as it is
    const html = await response.text();
    const focusKey = document.activeElement?.dataset?.focusKey;
    const scroll = window.scrollY;
    const before = document.getElementById("queue-summary")?.textContent;
    live.innerHTML = html;
    const after = document.getElementById("queue-summary")?.textContent;
    // Tell screen reader users when the numbers change, without reading the whole table.
    if (after && after !== before) {
      document.getElementById("queue-announce").textContent = `Queue updated: ${after.replace(/\s+/g, " ").trim()}`;
    }
    window.scrollTo(0, scroll);
    if (focusKey) live.querySelector(`[data-focus-key="${focusKey}"]`)?.focus();
  };

  window.setInterval(refresh, seconds * 1000);
}
