/*
 * A searchable picker: an editable combobox with a list popup (WAI-ARIA APG "combobox with list
 * autocomplete"). Typing filters by label; ↓/↑, Page Down/Up move through the matches, Enter picks,
 * Escape closes and restores. Only the first matches are ever put in the page, so a list of
 * thousands of companies filters as fast as one of ten, and a table of thousands of rows builds no
 * option elements at all until a list is opened.
 */
import { formatNumber, h } from './dom.js';

/** Matches put in the list at once; the rest are counted and found by typing more. */
export const SHOWN = 50;
const PAGE = 10;

const normalise = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** Per options list (the same array for every row of a step): search keys and labels by id. */
const indexes = new WeakMap();
function indexOf(options) {
  let index = indexes.get(options);
  if (!index) {
    index = { entries: options.map((option) => ({ option, key: normalise(option.label) })), labels: new Map(options.map((o) => [o.id, o.label])) };
    indexes.set(options, index);
  }
  return index;
}

/** Options whose label holds every word typed, those that start with the text first; at most SHOWN, and how many match. */
export function matchOptions(options, text) {
  const { entries } = indexOf(options);
  const query = normalise(text.trim());
  if (query === '') return { shown: entries.slice(0, SHOWN).map((e) => e.option), total: entries.length };
  const words = query.split(/\s+/);
  const starting = [];
  const containing = [];
  let total = 0;
  for (const entry of entries) {
    if (!words.every((word) => entry.key.includes(word))) continue;
    total += 1;
    if (entry.key.startsWith(query)) {
      if (starting.length < SHOWN) starting.push(entry.option);
    } else if (containing.length < SHOWN) containing.push(entry.option);
  }
  return { shown: [...starting, ...containing].slice(0, SHOWN), total };
}

/**
 * `noun`: [singular, plural] ("company", "companies"). `missingLabel(id)`: the text of a value the
 * options no longer offer (it stays chosen until the operator picks another). `announce(text)`:
 * a polite live region for the number of matches (`null` when the list closes: nothing to say).
 */
export function combobox({ id, testid, options, value, onchange, invalid, describedBy, noun, missingLabel, announce }) {
  const [one, many] = noun;
  const { entries, labels } = indexOf(options);
  const labelOf = (v) => (v === null || v === undefined ? '' : labels.has(v) ? labels.get(v) : missingLabel(v));
  let committed = value === undefined ? null : value;
  let matches = [];
  let active = -1;

  const input = h('input', {
    type: 'text', id, role: 'combobox', 'data-testid': testid, autocomplete: 'off', spellcheck: 'false',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': `${id}-listbox`,
    'aria-invalid': invalid ? 'true' : null, 'aria-describedby': describedBy || null,
    placeholder: `Type to search ${formatNumber(options.length)} ${options.length === 1 ? one : many}`, value: labelOf(committed),
  });
  const listbox = h('ul', { role: 'listbox', id: `${id}-listbox`, class: 'combobox-list', 'aria-label': many, 'data-testid': `${testid}-listbox` });
  const count = h('p', { class: 'combobox-count', 'data-testid': `${testid}-count`, 'aria-hidden': 'true' });
  const popup = h('div', { class: 'combobox-popup', hidden: true }, listbox, count);
  const toggle = h('button', {
    type: 'button', class: 'combobox-toggle', tabindex: '-1', 'aria-label': `Show ${many}`, 'aria-controls': `${id}-listbox`,
    onmousedown: (event) => event.preventDefault(),
    onclick: () => {
      if (!popup.hidden) close();
      else {
        input.focus();
        openAll();
      }
    },
  }, h('span', { 'aria-hidden': 'true' }, '▾'));

  function show(text) {
    const result = matchOptions(options, text);
    matches = result.shown;
    active = -1;
    input.removeAttribute('aria-activedescendant');
    listbox.replaceChildren(...matches.map((option, index) => h('li', {
      role: 'option', id: `${id}-option-${index}`, 'aria-selected': 'false', class: option.id === committed ? 'current' : null,
      onmousedown: (event) => event.preventDefault(),
      onclick: () => choose(option),
    }, option.label)));
    const typed = text.trim();
    if (result.total === 0) count.textContent = `No ${many} match “${typed}”`;
    else if (result.total > matches.length) count.textContent = `${formatNumber(matches.length)} of ${formatNumber(result.total)} shown — type to narrow`;
    else count.textContent = '';
    count.hidden = count.textContent === '';
    popup.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    announce(result.total === 0 ? `No ${many} match` : `${formatNumber(result.total)} ${result.total === 1 ? `${one} matches` : `${many} match`}`);
  }

  /** Opens on everything when the text is the chosen value's, else on what is typed. */
  function openAll() {
    const unchanged = input.value === labelOf(committed);
    show(unchanged ? '' : input.value);
    const current = matches.findIndex((option) => option.id === committed);
    setActive(current >= 0 ? current : unchanged ? -1 : 0);
  }

  function setActive(index) {
    const items = listbox.children;
    if (active >= 0 && items[active]) {
      items[active].setAttribute('aria-selected', 'false');
      items[active].classList.remove('active');
    }
    active = index < 0 || matches.length === 0 ? -1 : Math.min(index, matches.length - 1);
    if (active < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    const item = items[active];
    item.setAttribute('aria-selected', 'true');
    item.classList.add('active');
    input.setAttribute('aria-activedescendant', item.id);
    item.scrollIntoView({ block: 'nearest' });
  }

  function close() {
    announce(null);
    popup.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
    matches = [];
  }

  function choose(option) {
    const chosen = option ? option.id : null;
    input.value = option ? option.label : '';
    close();
    if (chosen !== committed) {
      committed = chosen;
      onchange(chosen);
    }
  }

  const restore = () => {
    input.value = labelOf(committed);
  };

  input.addEventListener('input', () => {
    show(input.value);
    setActive(input.value.trim() === '' ? -1 : 0);
  });
  input.addEventListener('click', () => {
    if (popup.hidden) openAll();
  });
  input.addEventListener('keydown', (event) => {
    const open = !popup.hidden;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!open) openAll();
        else if (!event.altKey) setActive(active + 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (!open) openAll();
        else if (event.altKey) close();
        else setActive(Math.max(active - 1, 0));
        break;
      case 'PageDown':
        if (open) {
          event.preventDefault();
          setActive(active + PAGE);
        }
        break;
      case 'PageUp':
        if (open) {
          event.preventDefault();
          setActive(Math.max(active - PAGE, 0));
        }
        break;
      case 'Enter':
        if (!open) break;
        event.preventDefault();
        if (active >= 0) choose(matches[active]);
        else if (input.value.trim() === '') choose(null);
        break;
      case 'Escape':
        if (open || input.value !== labelOf(committed)) {
          event.preventDefault();
          event.stopPropagation();
          close();
          restore();
        }
        break;
      case 'Tab':
        if (open) close();
        break;
      default:
    }
  });
  // Leaving the field: empty text means "none"; a label typed in full picks it; anything else is undone.
  input.addEventListener('blur', () => {
    close();
    const text = input.value.trim();
    if (text === '') {
      choose(null);
      return;
    }
    if (input.value === labelOf(committed)) return;
    const typed = normalise(text);
    const exact = entries.filter((entry) => entry.key === typed);
    if (exact.length === 1) choose(exact[0].option);
    else restore();
  });

  return h('div', { class: 'combobox' }, input, toggle, popup);
}
