// The sub-group list follows the group chosen (the register-a-product form): only that
// group's sub-groups stay offered. Without this script every group's are listed, each
// under its group's name, and the registry refuses a sub-group of another group.
'use strict';

document.querySelectorAll('select[data-follows]').forEach(sub => {
  const group = document.getElementById(sub.dataset.follows);
  if (!group) return;
  const follow = () => {
    for (const part of sub.querySelectorAll('optgroup')) {
      const ours = !group.value || part.dataset.group === group.value;
      part.hidden = !ours;
      part.disabled = !ours;
    }
    const chosen = sub.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) sub.value = '';
  };
  group.addEventListener('change', follow);
  follow();
});
