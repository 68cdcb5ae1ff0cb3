// Search page: a light UI over the Pagefind JS API. The query, filters and sort live in the
// URL (shareable, bookmarkable, Back works). Loaded as an external module: no inline script.

const FILTERS = [
  ["annonce", "Annonce"],
  ["type", "Type d'annonce"],
  ["secteur", "Secteur d'activité"],
  ["region", "Région"],
  ["departement", "Département"],
  ["bien", "Type de bien"],
  ["surface", "Surface"],
  ["loyer", "Loyer mensuel"],
];
// Bands read best in their natural order, not alphabetically.
const ORDER = {
  surface: ["< 50 m²", "50-100 m²", "100-200 m²", "> 200 m²"],
  loyer: ["< 300 €", "300-600 €", "600-1 000 €", "> 1 000 €"],
};
// Pagefind sorts. The index holds one, the date as a rank (0 = newest): every sort key weighs
// on every query's download, so surface and rent are sorted here from the sort table instead.
const SORTS = { date: { date: "asc" }, pertinence: null };
// Sorts from tris.json, fetched on first use only: direction (-1: largest first).
const TABLE_SORTS = { surface: -1, loyer: 1 };
const PAGE_SIZE = 10;
const DEBOUNCE_MS = 300;

const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const filterBox = document.getElementById("search-filters");
const output = document.getElementById("search-output");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");

let pagefind = null;
let results = [];
let shown = 0;
let generation = 0;
let timer = null;
let countsLoaded = false;
let lastCounts = {};
let sortTable = null;
// Older listings' bundles beyond the first (lots.json, newest first): empty below the lot size.
let lots = [];

function readUrl() {
  const params = new URLSearchParams(window.location.search);
  const filters = {};
  for (const [key] of FILTERS) {
    const values = params.getAll(key).filter(Boolean);
    if (values.length) filters[key] = values;
  }
  const sort = params.get("tri");
  const known = sort in SORTS || sort in TABLE_SORTS;
  return { q: (params.get("q") || "").trim(), filters, sort: known ? sort : "date" };
}

function readForm() {
  const filters = {};
  for (const box of filterBox.querySelectorAll("input[type=checkbox]:checked")) {
    (filters[box.name] ||= []).push(box.value);
  }
  return { q: input.value.trim(), filters, sort: sortSelect.value };
}

function stateUrl(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.sort !== "date") params.set("tri", state.sort);
  for (const [key] of FILTERS) for (const v of state.filters[key] || []) params.append(key, v);
  const query = params.toString();
  return window.location.pathname + (query ? `?${query}` : "");
}

function saveState(state, push) {
  const url = stateUrl(state);
  if (url === window.location.pathname + window.location.search) return;
  window.history[push ? "pushState" : "replaceState"](null, "", url);
}

function pagefindFilters(filters, without) {
  const out = {};
  for (const [key, values] of Object.entries(filters)) {
    if (key !== without && values.length) out[key] = { any: values };
  }
  return out;
}

function fetchTable(path) {
  return fetch(`${form.dataset.bundle}${path}tris.json`, { cache: "no-cache" }).then((response) => {
    if (!response.ok) throw new Error(`tris.json: ${response.status}`);
    return response.json();
  });
}

// The sort table of each bundle: page ids newest first (one string), and each sort's values in
// that order. Joined newest bundle first, they rank every page; a page is keyed by its bundle,
// since two bundles may name two pages alike.
function loadSortTable() {
  sortTable ||= Promise.all(["", ...lots].map(fetchTable))
    .then((tables) => {
      const joined = { rank: new Map() };
      for (const key of Object.keys(TABLE_SORTS)) joined[key] = tables.flatMap((t) => t[key]);
      let rank = 0;
      tables.forEach((table, lot) => {
        for (const id of table.pages.split(" ")) joined.rank.set(`${lot} ${id}`, rank++);
      });
      return joined;
    })
    .catch((error) => {
      sortTable = null; // let a later sort try again
      throw error;
    });
  return sortTable;
}

// Order results by a table sort; listings without a value come last, ties newest first.
function tableOrder(results, table, key) {
  const direction = TABLE_SORTS[key];
  const rows = results.map((result) => {
    const rank = table.rank.get(`${result.lot || 0} ${result.id}`);
    const value = rank === undefined ? null : table[key][rank];
    return { result, value, rank: rank ?? Infinity };
  });
  rows.sort((a, b) => (a.value === null) - (b.value === null)
    || (a.value !== null && (a.value - b.value) * direction)
    || a.rank - b.rank);
  return rows.map((row) => row.result);
}

function addCounts(total, counts) {
  for (const [key, values] of Object.entries(counts)) {
    const sum = (total[key] ||= {});
    for (const [value, n] of Object.entries(values)) sum[value] = (sum[value] || 0) + n;
  }
  return total;
}

// Pagefind ranks merged bundles' results by score alone, which loses any sort. So a sorted
// search runs once per bundle, kept to its pages by the filter `lot` that mergeIndex gave each,
// and joins them newest bundle first: each result knows its bundle, and the order is the date's.
async function sortedSearch(term, options) {
  if (!lots.length) return pagefind.search(term, options);
  const parts = await Promise.all(["", ...lots].map((_, lot) => pagefind.search(term, {
    ...options, filters: { ...options.filters, lot: { any: [String(lot)] } },
  })));
  parts.forEach((part, lot) => { for (const result of part.results) result.lot = lot; });
  return {
    results: parts.flatMap((part) => part.results),
    filters: parts.reduce((total, part) => addCounts(total, part.filters), {}),
  };
}

// Facet counts: OR within a group, AND across groups. A group with a selection is counted as
// if it had none, so each number tells how many results ticking that box would give.
async function facetCounts(term, state, search) {
  const counts = { ...search.filters };
  for (const key of Object.keys(state.filters)) {
    const other = await pagefind.search(term, { filters: pagefindFilters(state.filters, key) });
    counts[key] = other.filters[key] || {};
  }
  return counts;
}

function renderFilters(counts, state) {
  const open = new Set([...filterBox.querySelectorAll("details[open]")].map((d) => d.dataset.key));
  const focused = document.activeElement;
  const focusKey = focused?.name && filterBox.contains(focused) ? `${focused.name}\n${focused.value}` : null;
  filterBox.replaceChildren();
  for (const [key, label] of FILTERS) {
    const selected = new Set(state.filters[key] || []);
    const values = Object.entries(counts[key] || {}).filter(([v, n]) => n > 0 || selected.has(v));
    for (const v of selected) if (!values.some(([w]) => w === v)) values.push([v, 0]);
    if (!values.length) continue;
    const order = ORDER[key];
    values.sort(order ? (a, b) => order.indexOf(a[0]) - order.indexOf(b[0])
      : (a, b) => a[0].localeCompare(b[0], "fr"));
    const details = document.createElement("details");
    details.dataset.key = key;
    details.open = open.has(key) || selected.size > 0;
    const summary = document.createElement("summary");
    summary.textContent = selected.size ? `${label} (${selected.size})` : label;
    const fieldset = document.createElement("fieldset");
    const legend = document.createElement("legend");
    legend.className = "visually-hidden";
    legend.textContent = label;
    fieldset.append(legend);
    for (const [value, count] of values) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = key;
      box.value = value;
      box.checked = selected.has(value);
      box.id = `f-${key}-${[...value].map((c) => c.charCodeAt(0).toString(36)).join("")}`;
      const labelEl = document.createElement("label");
      labelEl.htmlFor = box.id;
      const count_ = document.createElement("span");
      count_.className = "count";
      count_.textContent = `(${count})`;
      labelEl.append(`${value} `, count_);
      const row = document.createElement("div");
      row.className = "filter-option";
      row.append(box, labelEl);
      fieldset.append(row);
      if (focusKey === `${key}\n${value}`) queueMicrotask(() => box.focus());
    }
    details.append(summary, fieldset);
    filterBox.append(details);
  }
}

// Pagefind excerpts are HTML with <mark>: keep only their text and the marks, nothing else.
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const nodes = [];
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent));
    }
  }
  return nodes;
}

function resultItem(data) {
  const m = data.meta;
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = m.title || data.url;
  heading.append(link);
  const facts = document.createElement("p");
  facts.className = "search-facts";
  const place = [m.commune, m.departement].filter(Boolean).join(", ");
  for (const text of [m.type, place, m.surface, m.loyer, m.date && `publiée le ${m.date}`]) {
    if (!text) continue;
    const span = document.createElement("span");
    span.textContent = text;
    facts.append(span);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "search-excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  item.append(heading, facts, excerpt);
  return item;
}

async function showMore(gen, moveFocus) {
  const batch = results.slice(shown, shown + PAGE_SIZE);
  const data = await Promise.all(batch.map((r) => r.data()));
  if (gen !== generation) return;
  const items = data.map(resultItem);
  list.append(...items);
  shown += batch.length;
  more.hidden = shown >= results.length;
  if (moveFocus && items.length) {
    const link = items[0].querySelector("a");
    link.focus();
  }
}

function plural(n, one, many) {
  return `${n.toLocaleString("fr-FR")} ${n > 1 ? many : one}`;
}

async function run(state) {
  const gen = ++generation;
  output.setAttribute("aria-busy", "true");
  const term = state.q || null;
  const hasFilters = Object.keys(state.filters).length > 0;
  const options = { filters: pagefindFilters(state.filters) };
  let table = null;
  if (state.sort in TABLE_SORTS) {
    // Without the table (offline, error), fall back to the default order rather than fail.
    table = await loadSortTable().catch(() => null);
    if (gen !== generation) return;
  }
  const sort = state.sort in TABLE_SORTS ? !table && SORTS.date : SORTS[state.sort];
  if (sort) options.sort = sort;
  // Nothing typed and nothing ticked: Pagefind returns nothing, so list every listing instead.
  if (term === null && !hasFilters) options.filters = { annonce: { any: ["Opportunité", "Projet"] } };
  const search = state.sort === "pertinence"
    ? await pagefind.search(term, options) : await sortedSearch(term, options);
  if (gen !== generation) return;
  // Counts need every filter chunk: load them once the visitor shows interest in filters.
  if (countsLoaded) lastCounts = await facetCounts(term, state, search);
  if (gen !== generation) return;
  results = table ? tableOrder(search.results, table, state.sort) : search.results;
  shown = 0;
  list.replaceChildren();
  renderFilters(lastCounts, state);
  await showMore(gen, false);
  if (gen !== generation) return;
  const n = results.length;
  statusLine.textContent = n
    ? `${plural(n, "annonce trouvée", "annonces trouvées")}${state.q ? ` pour « ${state.q} »` : ""}.`
    : `Aucune annonce ne correspond${state.q ? ` à « ${state.q} »` : ""}. Essayez d'autres mots ou retirez des filtres.`;
  output.hidden = false;
  output.removeAttribute("aria-busy");
  // A completed-search counter: lets tests and the benchmark wait for "results shown".
  output.dataset.done = String(gen);
}

function applyToForm(state) {
  input.value = state.q;
  sortSelect.value = state.sort;
}

async function loadCounts(state) {
  if (countsLoaded) return;
  countsLoaded = true;
  document.querySelector(".search-show-filters")?.remove();
  await pagefind.filters();
  await run(state);
}

function onChange(push) {
  const state = readForm();
  saveState(state, push);
  run(state);
}

// lots.json: the other bundles' folders. Missing or unreadable: the main bundle alone.
function loadLots(bundle) {
  return fetch(`${bundle}lots.json`, { cache: "no-cache" })
    .then((response) => (response.ok ? response.json() : {}))
    .then((listed) => listed.lots || [])
    .catch(() => []);
}

async function start() {
  const bundle = form.dataset.bundle;
  try {
    const found = loadLots(bundle);
    pagefind = await import(`${bundle}pagefind.js`);
    // No worker: it would cost another 41 KB on slow links, and the index is small.
    const options = { baseUrl: form.dataset.base, excerptLength: 24 };
    await pagefind.options({ ...options, noWorker: true });
    await pagefind.init();
    lots = await found;
    if (lots.length) {
      await pagefind.options({ mergeFilter: { lot: "0" } });
      await Promise.all(lots.map((path, i) => pagefind.mergeIndex(
        `${bundle}${path}`, { ...options, mergeFilter: { lot: String(i + 1) } })));
    }
  } catch (error) {
    statusLine.textContent = "La recherche n'a pas pu se charger. Parcourez les annonces par territoire ou par secteur.";
    output.hidden = false;
    return;
  }
  document.querySelector("[data-search-nojs]").hidden = true;
  form.hidden = false;
  const state = readUrl();
  applyToForm(state);
  if (Object.keys(state.filters).length) {
    countsLoaded = true;
    await pagefind.filters();
  } else {
    // Filters the URL did not ask for: counts load on first use, which keeps a query light.
    const button = document.createElement("button");
    button.type = "button";
    button.className = "search-show-filters";
    button.textContent = "Afficher les filtres";
    button.addEventListener("click", async () => {
      await loadCounts(readForm());
      filterBox.querySelector("summary")?.focus();
    });
    filterBox.before(button);
  }
  run(state);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    onChange(true);
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    // While typing, replace the history entry instead of stacking one per keystroke.
    timer = setTimeout(() => onChange(false), DEBOUNCE_MS);
  });
  sortSelect.addEventListener("change", () => onChange(true));
  filterBox.addEventListener("change", () => onChange(true));
  more.addEventListener("click", () => showMore(generation, true));
  window.addEventListener("popstate", () => {
    const previous = readUrl();
    applyToForm(previous);
    if (Object.keys(previous.filters).length && !countsLoaded) {
      loadCounts(previous);
      return;
    }
    // Checkboxes follow the state on the next render; rebuild them from the URL first.
    renderFilters(lastCounts, previous);
    run(previous);
  });
}

start();
