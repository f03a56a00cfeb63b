// The operators' tables: sorted by a column's header (a button, so the keyboard reaches
// it) and filtered by what is typed in the box that names the table. A cell sorts by its
// data-sort value when it has one (a date as yyyy-mm-dd, a number), else by its text in
// Vietnamese order. Without script the table is still whole, in the server's order.
'use strict';

const plainText = text => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
  .replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
const byVietnamese = new Intl.Collator('vi', {numeric: true, sensitivity: 'base'});

function cellValue(row, index) {
  const cell = row.cells[index];
  return cell ? (cell.dataset.sort ?? cell.textContent.trim()) : '';
}

function sortBy(table, header, index) {
  const ascending = header.getAttribute('aria-sort') !== 'ascending';
  table.querySelectorAll('th[aria-sort]').forEach(th => th.removeAttribute('aria-sort'));
  header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  const body = table.tBodies[0];
  const rows = [...body.rows].sort((a, b) => {
    const [x, y] = [cellValue(a, index), cellValue(b, index)];
    const numbers = x !== '' && y !== '' && !isNaN(x) && !isNaN(y);
    const order = numbers ? Number(x) - Number(y) : byVietnamese.compare(x, y);
    return ascending ? order : -order;
  });
  body.append(...rows);
}

document.querySelectorAll('table[data-sortable]').forEach(table => {
  [...table.tHead.rows[0].cells].forEach((header, index) => {
    if (header.hasAttribute('data-nosort')) return;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sort';
    button.append(...header.childNodes);
    header.append(button);
    button.addEventListener('click', () => sortBy(table, header, index));
  });
});

document.querySelectorAll('input[data-filter]').forEach(box => {
  const table = document.getElementById(box.getAttribute('aria-controls'));
  const count = document.querySelector(`[data-filter-count="${table.id}"]`);
  box.addEventListener('input', () => {
    const wanted = plainText(box.value.trim());
    let shown = 0;
    for (const row of table.tBodies[0].rows) {
      row.hidden = wanted !== '' && !plainText(row.textContent).includes(wanted);
      if (!row.hidden) shown += 1;
    }
    if (count) count.textContent = shown;
  });
});
