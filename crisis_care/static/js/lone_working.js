// Keep the lone working screen live for the shift coordinator: every 30 seconds fetch the
// page again and swap in the board, so a visit that overruns turns red without anyone
// reloading. Without JS the page still works: the "Refresh" link reloads it.
const live = document.getElementById("lone-working-live");

if (live) {
  const seconds = Number(live.dataset.refreshSeconds || 30);

  const refresh = async () => {
    // Don't move things under someone who is using the board (a link or button has focus).
    if (document.hidden || live.contains(document.activeElement)) return;
    let response;
    try {
      response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
    } catch {
      return; // Offline for a moment: try again next time.
    }
    if (!response.ok || response.redirected) return; // e.g. the session ended: leave the page
    const fresh = new DOMParser()
      .parseFromString(await response.text(), "text/html")
      .getElementById("lone-working-live");
    if (!fresh) return;
    const before = document.getElementById("lone-working-summary")?.textContent;
    const scroll = window.scrollY;
    live.replaceChildren(...fresh.childNodes);
    const after = document.getElementById("lone-working-summary")?.textContent;
    // Tell screen reader users when the numbers change, without reading the whole board.
    if (after && after !== before) {
      document.getElementById("lone-working-announce").textContent =
        `Lone working updated: ${after.replace(/\s+/g, " ").trim()}`;
    }
    window.scrollTo(0, scroll);
  };

  window.setInterval(refresh, seconds * 1000);
}
