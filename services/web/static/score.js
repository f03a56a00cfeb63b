// The council member's score sheet on a tablet: each part's subtotal, the total and the
// stars it would give, kept up to date as points are typed; "Save draft" keeps what is
// filled in on this tablet (localStorage, per account and evaluation), filled in again
// when the sheet is opened here, and cleared once the sheet is submitted. The rating
// service checks every score when the sheet is sent; this only shows the sums.
'use strict';

const draftKey = (user, evaluation) => `ocop-score-draft:${user}:${evaluation}`;

function readDraft(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch (e) {
    return null;
  }
}

// After a sheet was taken: its draft is no longer needed.
document.querySelectorAll('[data-submitted]').forEach(done => {
  localStorage.removeItem(draftKey(done.dataset.user, done.dataset.submitted));
});

// The list says which evaluations have a draft on this tablet.
document.querySelectorAll('[data-user] [data-draft-of]').forEach(mark => {
  const user = mark.closest('[data-user]').dataset.user;
  mark.hidden = readDraft(draftKey(user, mark.dataset.draftOf)) === null;
});

function typedPoints(text) {
  const plain = text.replace(/\s/g, '').replace(',', '.');
  if (plain === '' || !/^\d+(\.\d+)?$/.test(plain)) return null;
  return Number(plain);
}

function starsFor(total, floors) {
  for (const [floor, stars] of floors) {
    if (total >= floor) return stars;
  }
  return 1;
}

function clock(date, lang) {
  return date.toLocaleTimeString(lang === 'vi' ? 'vi-VN' : 'en-GB',
    {hour: '2-digit', minute: '2-digit'});
}

const sheet = document.querySelector('form[data-sheet]');
if (sheet) {
  const lang = sheet.dataset.lang;
  const shown = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US',
    {maximumFractionDigits: 2});
  const floors = sheet.dataset.stars.split(' ').map(pair => pair.split(':').map(Number));
  const key = draftKey(sheet.dataset.user, sheet.dataset.evaluation);
  const status = document.querySelector('[data-draft-status]');
  const kept = () => [...sheet.querySelectorAll('input[name]:not([type=hidden]), textarea[name]')];

  const update = () => {
    const parts = {};
    let total = 0;
    sheet.querySelectorAll('[data-points]').forEach(input => {
      const points = typedPoints(input.value) ?? 0;
      parts[input.dataset.part] = (parts[input.dataset.part] || 0) + points;
      total += points;
      input.closest('.criterion').classList.toggle('over',
        points > Number(input.dataset.max));
    });
    sheet.querySelectorAll('[data-subtotal]').forEach(cell => {
      cell.textContent = shown.format(Math.round((parts[cell.dataset.subtotal] || 0) * 100) / 100);
    });
    total = Math.round(total * 100) / 100;
    sheet.querySelector('[data-total]').textContent = shown.format(total);
    sheet.querySelector('[data-stars-shown]').textContent = `${starsFor(total, floors)} ★`;
  };

  const say = (template, when) => {
    status.textContent = template.replace('{time}', clock(when, lang));
    status.hidden = false;
  };

  if (!sheet.hasAttribute('data-posted')) {
    const draft = readDraft(key);
    if (draft && draft.values) {
      kept().forEach(field => {
        if (field.name in draft.values) field.value = draft.values[field.name];
      });
      say(sheet.dataset.restoredText, new Date(draft.saved_at));
    }
  }

  sheet.querySelector('[data-save-draft]').addEventListener('click', () => {
    const values = Object.fromEntries(kept().map(field => [field.name, field.value]));
    const now = new Date();
    localStorage.setItem(key, JSON.stringify({saved_at: now.toISOString(), values}));
    say(sheet.dataset.savedText, now);
  });
  sheet.addEventListener('input', update);
  update();
}
