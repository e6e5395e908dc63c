// Comment bank: a phrase picked from the list is appended to the criterion's comment, which
// the person can then adapt; the change event makes HTMX autosave the criterion.
document.addEventListener("change", (event) => {
  const picker = event.target;
  if (!picker.classList || !picker.classList.contains("phrase-picker") || !picker.value) return;
  const target = document.getElementById(picker.dataset.target);
  if (!target) return;
  target.value = target.value ? `${target.value.trimEnd()} ${picker.value}` : picker.value;
  picker.value = "";
  target.dispatchEvent(new Event("change", { bubbles: true }));
  target.focus();
});
