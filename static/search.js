// kb search: finds articles by code, message, title and text in an index built with the site
// (its format is described in src/search.rs). It enhances the header's search form: without
// this script the form still leads to the all-codes index.
(function () {
  "use strict";
  var form = document.querySelector("form.search[data-search]");
  if (!form || !window.fetch || !window.Map) return;
  var base = form.getAttribute("data-search");
  var FORMAT_VERSION = 2;

  // ---- Terms: the same rules as src/search/tokenize.rs --------------------------------------
  var MAX_WORD_CHARS = 100;
  var NOT_WORD = /[^\p{Alphabetic}\p{N}_\-.+'\u2019]+/u;
  var UNTRIMMED = /^[^\p{Alphabetic}\p{N}]+|[^\p{Alphabetic}\p{N}]+$/gu;
  var APOSTROPHES = /['\u2019]/g;
  var JOINERS = /[_\-.+]/;
  var LOWER = /\p{Lowercase}/u;
  var UPPER = /\p{Uppercase}/u;
  var HEX = /^0x([0-9a-f]+)$/;
  var DIGITS = /^\d+$/;

  function rawWords(text) {
    return text
      .split(NOT_WORD)
      .map(function (w) { return w.replace(UNTRIMMED, ""); })
      .filter(function (w) { return w && Array.from(w).length <= MAX_WORD_CHARS; });
  }

  function normalize(word) {
    return word.replace(APOSTROPHES, "").toLowerCase();
  }

  function parts(raw) {
    var whole = normalize(raw);
    var found = [];
    function add(part) {
      if (part && part !== whole && found.indexOf(part) < 0) found.push(part);
    }
    var hex = HEX.exec(whole);
    if (hex) {
      add(hex[1]);
      return found;
    }
    raw.split(JOINERS).forEach(function (piece) {
      if (!piece) return;
      add(normalize(piece));
      casePieces(piece).forEach(function (sub) { add(normalize(sub)); });
    });
    return found;
  }

  function casePieces(piece) {
    var chars = Array.from(piece);
    var pieces = [];
    var start = 0;
    for (var i = 1; i < chars.length; i++) {
      var previous = chars[i - 1];
      var current = chars[i];
      var nextIsLower = i + 1 < chars.length && LOWER.test(chars[i + 1]);
      if ((LOWER.test(previous) && UPPER.test(current)) ||
          (UPPER.test(previous) && UPPER.test(current) && nextIsLower)) {
        pieces.push(chars.slice(start, i).join(""));
        start = i;
      }
    }
    if (start > 0) pieces.push(chars.slice(start).join(""));
    return pieces;
  }

  // ---- The index: fetched piece by piece, each piece once ----------------------------------
  function getJson(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function Index(base) {
    this.base = base;
    this.loading = null;
    this.shards = new Map();
    this.chunks = new Map();
  }

  Index.prototype.ready = function () {
    var self = this;
    if (!self.loading) {
      self.loading = getJson(self.base + "meta.json").then(function (meta) {
        if (meta.version !== FORMAT_VERSION) throw new Error("search index format " + meta.version);
        self.meta = meta;
        self.stopWords = new Set(meta.stop_words);
        self.field = {};
        meta.fields.forEach(function (pair) { self.field[pair[0]] = pair[1]; });
      });
      self.loading.catch(function () { self.loading = null; });
    }
    return self.loading;
  };

  // A shard's or chunk's address: each run of `group` files is in a folder named by their hash.
  Index.prototype.file = function (folders, kind, number) {
    return this.base + folders[Math.floor(number / this.meta.group)] + "/" + kind + number + ".json";
  };

  // The shard a term would be in: the last whose first term is not after it.
  Index.prototype.shardOf = function (term) {
    var shards = this.meta.shards;
    var low = 0;
    var high = shards.length - 1;
    if (high < 0 || term < shards[0]) return -1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (shards[middle] <= term) low = middle; else high = middle - 1;
    }
    return low;
  };

  Index.prototype.shard = function (number) {
    var self = this;
    if (!self.shards.has(number)) {
      var loading = getJson(self.file(self.meta.term_folders, "t", number));
      loading.catch(function () { self.shards.delete(number); });
      self.shards.set(number, loading);
    }
    return self.shards.get(number);
  };

  function decode(encoded) {
    var list = [];
    var document = 0;
    for (var i = 1; i + 1 < encoded.length; i += 2) {
      document += encoded[i];
      list.push([document, encoded[i + 1]]);
    }
    return { df: encoded[0], list: list };
  }

  // The postings of a term, or null when no article has it.
  Index.prototype.postings = function (term) {
    var number = this.shardOf(term);
    if (number < 0) return Promise.resolve(null);
    return this.shard(number).then(function (shard) {
      return Object.prototype.hasOwnProperty.call(shard, term) ? decode(shard[term]) : null;
    });
  };

  // Up to `limit` terms that start with `prefix` (and are longer), with their postings.
  Index.prototype.completions = function (prefix, limit) {
    var first = this.shardOf(prefix);
    var last = this.shardOf(prefix + "\uffff");
    var loads = [];
    for (var number = Math.max(first, 0); number <= last; number++) loads.push(this.shard(number));
    return Promise.all(loads).then(function (shards) {
      var found = [];
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (term) {
          if (term.length > prefix.length && term.lastIndexOf(prefix, 0) === 0) found.push([term, decode(shard[term])]);
        });
      });
      found.sort(function (a, b) { return b[1].df - a[1].df; });
      return found.slice(0, limit);
    });
  };

  Index.prototype.documents = function (numbers) {
    var self = this;
    var size = self.meta.chunk;
    return Promise.all(numbers.map(function (number) {
      var chunk = Math.floor(number / size);
      if (!self.chunks.has(chunk)) {
        var loading = getJson(self.file(self.meta.chunk_folders, "d", chunk));
        loading.catch(function () { self.chunks.delete(chunk); });
        self.chunks.set(chunk, loading);
      }
      return self.chunks.get(chunk).then(function (rows) {
        var row = rows[number % size];
        return { code: row[0], title: row[1], url: row[2], summary: row[3] };
      });
    }));
  };

  // ---- Ranking ------------------------------------------------------------------------------
  // A document's tier is its weakest field among the query's words: the whole code (6) >
  // a message (4) > the title or a part of the code (3) > the summary (2) > the body (1).
  // Within a tier: more words found, then a score weighted by field and rarity.
  var CODE_TIER = 6;
  var MAX_WORDS = 12;
  var MAX_TERMS = 16;

  Index.prototype.level = function (flags, whole) {
    var f = this.field;
    if (flags & f.code) return whole ? CODE_TIER : 3;
    if (flags & f.message) return 4;
    if (flags & (f.title | f.code_part)) return 3;
    if (flags & f.summary) return 2;
    return flags & f.body ? 1 : 0;
  };

  // Within a tier, every field a word occurs in adds to the score: a word in both the title
  // and a message counts more than in a message alone.
  Index.prototype.weight = function (flags, whole) {
    var f = this.field;
    var weight = 0;
    if (flags & f.code) weight += whole ? 20 : 6;
    if (flags & f.message) weight += 8;
    if (flags & f.title) weight += 6;
    if (flags & f.code_part) weight += 6;
    if (flags & f.summary) weight += 3;
    if (flags & f.body) weight += 1;
    return weight;
  };

  // Ranks the articles for `query`. With `completing`, the last word may also be the start of a
  // longer word (`unauth` → `unauthorized`), unless it is a number or a word of its own.
  // Resolves to { hits: [{ document, tier }], exact: document number or null }.
  Index.prototype.search = function (query, completing) {
    var self = this;
    return self.ready().then(function () {
      var words = [];
      rawWords(query).forEach(function (raw) {
        var word = normalize(raw);
        if (!words.some(function (w) { return w.word === word; })) words.push({ word: word, parts: parts(raw) });
      });
      if (!words.length) return { hits: [], exact: null };
      // A long pasted message is judged by its first words: every term costs a download.
      words = words.slice(0, MAX_WORDS);
      var terms = new Set();
      words.forEach(function (w) { terms.add(w.word); });
      words.forEach(function (w) {
        w.parts.forEach(function (p) { if (terms.size < MAX_TERMS) terms.add(p); });
      });
      words.forEach(function (w) {
        w.parts = w.parts.filter(function (p) { return terms.has(p); });
      });
      var names = Array.from(terms);
      return Promise.all(names.map(function (t) { return self.postings(t); })).then(function (lists) {
        var found = new Map();
        names.forEach(function (t, i) { if (lists[i]) found.set(t, lists[i]); });
        var last = words[words.length - 1].word;
        var complete = completing && !/\s$/.test(query) && !found.has(last) && last.length >= 2 && !DIGITS.test(last);
        var completions = complete ? self.completions(last, 30) : Promise.resolve([]);
        return completions.then(function (expansions) { return self.rank(words, found, expansions); });
      });
    });
  };

  Index.prototype.rank = function (words, found, expansions) {
    var self = this;
    var total = self.meta.documents;
    var entries = new Map();
    function entry(document) {
      var e = entries.get(document);
      if (!e) {
        e = { document: document, levels: words.map(function () { return 0; }), score: 0, code: false };
        entries.set(document, e);
      }
      return e;
    }
    function idf(postings) { return Math.log(1 + total / Math.max(postings.df, 1)); }
    var known = words.map(function () { return false; });
    // A word whose list was cut at build time may occur in articles missing from it.
    var cut = words.map(function () { return false; });
    words.forEach(function (w, i) {
      var own = found.get(w.word);
      if (own) {
        known[i] = true;
        cut[i] = own.df > own.list.length;
        own.list.forEach(function (p) {
          var e = entry(p[0]);
          var level = self.level(p[1], true);
          if (level === CODE_TIER) e.code = true;
          e.levels[i] = Math.max(e.levels[i], level);
          e.score += self.weight(p[1], true) * idf(own);
        });
      }
      // A word's parts count it as found where all of them occur (`err_connection`).
      var partLists = w.parts.map(function (p) { return found.get(p); }).filter(Boolean);
      if (w.parts.length && partLists.length === w.parts.length) {
        known[i] = true;
        var perDocument = new Map();
        partLists.forEach(function (list) {
          list.list.forEach(function (p) {
            var seen = perDocument.get(p[0]) || { count: 0, level: CODE_TIER, score: 0 };
            var level = self.level(p[1], false);
            seen.count += 1;
            seen.level = Math.min(seen.level, level);
            seen.score += self.weight(p[1], false) * idf(list) / 2;
            perDocument.set(p[0], seen);
          });
        });
        perDocument.forEach(function (seen, document) {
          var e = entry(document);
          e.score += seen.score;
          if (seen.count === partLists.length) e.levels[i] = Math.max(e.levels[i], seen.level);
        });
      }
      if (i === words.length - 1) {
        expansions.forEach(function (pair) {
          known[i] = true;
          pair[1].list.forEach(function (p) {
            var e = entry(p[0]);
            var level = self.level(p[1], false);
            e.levels[i] = Math.max(e.levels[i], level);
            e.score += self.weight(p[1], false) * idf(pair[1]) / 2;
          });
        });
      }
    });
    // Stop words and words no article has do not hold a document back.
    var counted = [];
    words.forEach(function (w, i) { if (known[i] && !self.stopWords.has(w.word)) counted.push(i); });
    if (!counted.length) words.forEach(function (w, i) { if (known[i]) counted.push(i); });
    var hits = [];
    entries.forEach(function (e) {
      var matched = 0;
      var weakest = CODE_TIER;
      counted.forEach(function (i) {
        var level = e.levels[i] || (cut[i] ? 1 : 0);
        if (level > 0) matched += 1;
        weakest = Math.min(weakest, level);
      });
      var tier = e.code ? CODE_TIER : counted.length ? weakest : 0;
      hits.push({ document: e.document, tier: tier, matched: matched, score: e.score });
    });
    // Where some articles have every word (or the code), those are the answer; otherwise the
    // articles with the most of the words are.
    if (hits.some(function (h) { return h.tier > 0; })) hits = hits.filter(function (h) { return h.tier > 0; });
    hits.sort(function (a, b) {
      return b.tier - a.tier || b.matched - a.matched || b.score - a.score || a.document - b.document;
    });
    var codes = hits.filter(function (h) { return h.tier === CODE_TIER; });
    var exact = words.length === 1 && codes.length === 1 ? codes[0].document : null;
    return { hits: hits, exact: exact };
  };

  // Ranked articles for `query`, with what a result shows.
  Index.prototype.query = function (query, limit, completing) {
    var self = this;
    return self.search(query, completing).then(function (found) {
      var shown = found.hits.slice(0, limit);
      return self.documents(shown.map(function (h) { return h.document; })).then(function (documents) {
        return {
          total: found.hits.length,
          exact: shown.length && shown[0].document === found.exact ? documents[0] : null,
          results: documents.map(function (d, i) { d.tier = shown[i].tier; return d; })
        };
      });
    });
  };

  var index = new Index(base);
  // For tests and measurements: `kbSearch.query("401", 10)`.
  window.kbSearch = {
    query: function (query, limit, completing) { return index.query(query, limit || 10, !!completing); },
    words: function (text) { return rawWords(text).map(normalize); },
    parts: parts
  };

  // ---- The header box: a combobox with a list of suggestions --------------------------------
  var SUGGESTIONS = 8;
  var input = form.querySelector("input[type=search]");
  var listbox = document.createElement("ul");
  var status = document.createElement("p");
  var options = [];
  var active = -1;
  var generation = 0;
  listbox.id = "search-suggestions";
  listbox.className = "search-suggestions";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", form.getAttribute("data-suggestions") || "Suggestions");
  listbox.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.appendChild(listbox);
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listbox.id);
  input.setAttribute("aria-expanded", "false");

  function countText(n) {
    if (!n) return form.getAttribute("data-no-results") || "No results";
    if (n === 1) return form.getAttribute("data-count-one") || "1 result";
    return (form.getAttribute("data-count") || "{n} results").replace("{n}", String(n));
  }

  function resultContent(result, element) {
    var code = document.createElement("span");
    code.className = "code";
    code.textContent = result.code;
    var title = document.createElement("span");
    title.className = "title";
    title.textContent = result.title;
    element.appendChild(code);
    element.appendChild(document.createTextNode(" "));
    element.appendChild(title);
  }

  function show(query, results, total) {
    listbox.textContent = "";
    // Which query the list answers, for tests: answers can arrive after the next keystroke.
    listbox.setAttribute("data-query", query);
    options = results;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    results.forEach(function (result, i) {
      var option = document.createElement("li");
      option.id = "search-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-url", result.url);
      resultContent(result, option);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { location.assign(result.url); });
      listbox.appendChild(option);
    });
    listbox.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
    status.textContent = countText(total);
  }

  function close() {
    generation += 1;
    listbox.hidden = true;
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function select(position) {
    var items = listbox.children;
    if (!items.length) return;
    active = (position + items.length) % items.length;
    for (var i = 0; i < items.length; i++) items[i].setAttribute("aria-selected", i === active ? "true" : "false");
    input.setAttribute("aria-activedescendant", items[active].id);
    if (items[active].scrollIntoView) items[active].scrollIntoView({ block: "nearest" });
  }

  function suggest() {
    var query = input.value;
    var mine = ++generation;
    if (!query.trim()) {
      close();
      return;
    }
    index.query(query, SUGGESTIONS, true).then(function (found) {
      if (mine === generation) show(query, found.results, found.total);
    }, function () {
      if (mine === generation) close();
    });
  }

  var closing = 0;
  input.addEventListener("focus", function () {
    clearTimeout(closing);
    index.ready().catch(function () {});
  });
  input.addEventListener("input", suggest);
  input.addEventListener("blur", function () { closing = setTimeout(close, 150); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (listbox.hidden) {
        suggest();
        return;
      }
      select(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0 && options[active]) {
      event.preventDefault();
      location.assign(options[active].url);
    } else if (event.key === "Escape") {
      if (!listbox.hidden) close(); else input.value = "";
    }
  });

  // Enter on a code goes straight to its article; anything else to the search page. Should the
  // index fail to load, the form does what it does without this script.
  function goFrom(box, fallback) {
    return function (event) {
      var query = box.value.trim();
      if (!query) return;
      event.preventDefault();
      index.query(query, 1, false).then(function (found) {
        location.assign(found.exact ? found.exact.url : base + "?q=" + encodeURIComponent(query));
      }, function () { fallback.submit(); });
    };
  }
  form.addEventListener("submit", goFrom(input, form));

  // ---- The search page ----------------------------------------------------------------------
  // Twenty at a time, so that the page's first search stays as small as the box's.
  var PAGE_RESULTS = 20;
  var list = document.getElementById("search-page-results");
  var pageInput = document.getElementById("search-page-input");
  if (!list || !pageInput) return;
  var pageStatus = document.getElementById("search-status");
  var more = document.getElementById("search-more");
  var pageForm = pageInput.form;
  var pageGeneration = 0;
  var shown = 0;

  function showPage(query, limit) {
    var mine = ++pageGeneration;
    if (more) more.hidden = true;
    if (!query.trim()) {
      list.textContent = "";
      pageStatus.textContent = "";
      return;
    }
    index.query(query, limit, false).then(function (found) {
      if (mine !== pageGeneration) return;
      // Keep the results already listed (and the focus on "more"); add the new ones.
      if (limit === PAGE_RESULTS) {
        list.textContent = "";
        shown = 0;
      }
      found.results.slice(shown).forEach(function (result) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = result.url;
        resultContent(result, link);
        item.appendChild(link);
        if (result.summary) {
          var summary = document.createElement("p");
          summary.textContent = result.summary;
          item.appendChild(summary);
        }
        list.appendChild(item);
      });
      shown = found.results.length;
      pageStatus.textContent = countText(found.total);
      if (more) more.hidden = shown >= found.total;
    }, function () {
      if (mine === pageGeneration) pageStatus.textContent = pageStatus.getAttribute("data-failed");
    });
  }

  if (more) {
    more.addEventListener("click", function () { showPage(pageInput.value, shown + PAGE_RESULTS); });
  }
  var initial = new URLSearchParams(location.search).get("q") || "";
  pageInput.value = initial;
  showPage(initial, PAGE_RESULTS);
  pageInput.addEventListener("input", function () {
    var url = new URL(location.href);
    url.searchParams.set("q", pageInput.value);
    history.replaceState(null, "", url);
    showPage(pageInput.value, PAGE_RESULTS);
  });
  pageForm.addEventListener("submit", goFrom(pageInput, pageForm));
})();
