// Follow a data set export while it builds: ask for its status every 2 seconds, move the
// progress bar, and reload the page when it has finished (to show the files and the
// validation report). Without JS the page still works: its "Refresh" link reloads it.
const box = document.getElementById("export-progress");

if (box) {
  const bar = document.getElementById("export-progress-bar");
  const text = document.getElementById("export-progress-text");
  const status = document.getElementById("export-status");
  const announce = document.getElementById("export-announce");
  let timer;

  const poll = async () => {
    let response;
    try {
      response = await fetch(box.dataset.statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch {
      return; // Offline for a moment: try again next time.
    }
    if (!response.ok || response.redirected) {
      window.clearInterval(timer); // e.g. the session ended: leave the page as it is
      return;
    }
    const data = await response.json();
    bar.value = data.progress;
    bar.textContent = `${data.progress}%`;
    text.textContent = `${data.progress}%`;
    status.textContent = data.label;
    if (data.finished) {
      window.clearInterval(timer);
      announce.textContent = `Export ${data.label.toLowerCase()}. Loading the results.`;
      window.location.reload();
    }
  };

  timer = window.setInterval(poll, 2000);
}
