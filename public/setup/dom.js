/** Builds an element; attributes are set as attributes except `on*` handlers and a few properties. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'checked' || name === 'selected' || name === 'value') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const NUMBER = new Intl.NumberFormat('en');

/** Numbers in the page's language (the page is English whatever the browser's locale). */
export const formatNumber = (value) => NUMBER.format(value);

/** "a", "a and b", "a, b and c". */
export function joinWords(words) {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
