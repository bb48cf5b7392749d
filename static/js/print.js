// The Print link opens the story laid out for paper; where scripts run, it opens the browser's print dialog
// on the story itself instead, which prints the same way through print.css.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-print]");
  if (!link || typeof window.print !== "function") return;
  event.preventDefault();
  window.print();
});
