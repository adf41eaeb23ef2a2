// OCK's book in the browser: the language switch (Arabic right to left, English left to
// right; remembered, and `?lang=ar` in the address picks one) and the search over every
// behavior (both languages, Arabic letters normalised). Runs from file:// with no network.
;(function () {
  var KEY = 'ock-book-lang'
  var root = document.documentElement

  function initialLang() {
    var asked = new URLSearchParams(window.location.search).get('lang')
    if (asked === 'ar' || asked === 'en') return asked
    try {
      var saved = window.localStorage.getItem(KEY)
      if (saved === 'ar' || saved === 'en') return saved
    } catch {
      /* storage may be off for file:// */
    }
    return /^ar\b/.test(navigator.language || '') ? 'ar' : 'en'
  }

  function setLang(lang, remember) {
    root.setAttribute('data-lang', lang)
    root.setAttribute('lang', lang)
    root.setAttribute('dir', lang === 'ar' ? 'rtl' : 'ltr')
    var search = document.getElementById('search')
    if (search) search.placeholder = search.getAttribute('data-placeholder-' + lang) || ''
    if (remember) {
      try {
        window.localStorage.setItem(KEY, lang)
      } catch {
        /* not remembered */
      }
    }
  }

  // before the body renders, so the page never shows in the wrong direction
  setLang(initialLang(), false)

  /** Lower case, no diacritics or tatweel, one form of alef, teh marbuta and yeh. */
  function normalise(s) {
    return s
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, '')
      .replace(/[\u0623\u0625\u0622\u0671]/g, '\u0627')
      .replace(/\u0629/g, '\u0647')
      .replace(/\u0649/g, '\u064a')
  }

  document.addEventListener('DOMContentLoaded', function () {
    setLang(root.getAttribute('data-lang') || 'en', false)
    var button = document.getElementById('lang')
    button.addEventListener('click', function () {
      setLang(root.getAttribute('data-lang') === 'ar' ? 'en' : 'ar', true)
    })

    var search = document.getElementById('search')
    var articles = Array.prototype.map.call(document.querySelectorAll('article.behavior'), function (a) {
      return { el: a, id: a.id, text: normalise(a.textContent || '') }
    })
    var chapters = document.querySelectorAll('section.chapter')
    var tocItems = {}
    Array.prototype.forEach.call(document.querySelectorAll('.toc li[data-behavior]'), function (li) {
      tocItems[li.getAttribute('data-behavior')] = li
    })

    function filter(query) {
      var words = normalise(query).split(/\s+/).filter(Boolean)
      var shown = 0
      articles.forEach(function (a) {
        var hit = words.every(function (w) {
          return a.text.indexOf(w) >= 0 || normalise(a.id).indexOf(w) >= 0
        })
        a.el.hidden = !hit
        if (tocItems[a.id]) tocItems[a.id].hidden = !hit
        if (hit) shown++
      })
      Array.prototype.forEach.call(chapters, function (c) {
        c.hidden = !c.querySelector('article.behavior:not([hidden])')
      })
      document.getElementById('count-n').textContent = String(shown)
      document.getElementById('no-match').hidden = shown > 0
    }

    var q = new URLSearchParams(window.location.search).get('q')
    if (q) {
      search.value = q
      filter(q)
    }
    search.addEventListener('input', function () {
      filter(search.value)
    })

    // following a link to a behavior the search hides shows everything again
    window.addEventListener('hashchange', function () {
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)))
      if (target && target.closest('[hidden]')) {
        search.value = ''
        filter('')
        target.scrollIntoView()
      }
    })

    // printing: every diagram, not only those scrolled past
    window.addEventListener('beforeprint', function () {
      Array.prototype.forEach.call(document.querySelectorAll('img[loading="lazy"]'), function (img) {
        img.loading = 'eager'
      })
    })
  })
})()
