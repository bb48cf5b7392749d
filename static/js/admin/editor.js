// The rich-text editor for article bodies and event summaries.
//
// Loaded as a module with no inline script: each textarea carries its settings in a
// data-rich-text attribute (see newsroom/admin/editor.py). Tiptap/ProseMirror come from
// django-prose-editor's bundle; this file sets the schema to what newsroom/sanitize.py keeps,
// so what an editor sees is what is stored and what readers see.
import {
  Blockquote,
  Bold,
  BulletList,
  Document,
  Dropcursor,
  Editor,
  Extension,
  Gapcursor,
  HardBreak,
  Heading,
  History,
  Italic,
  Link,
  ListItem,
  Menu,
  Node,
  OrderedList,
  Paragraph,
  Plugin,
  Text,
  updateAttrsDialog,
} from "../../django_prose_editor/editor.js"

// The same figure as READING_SPEED in newsroom/admin/editor.py.
const READING_SPEED = 230
const LINK_PREFIXES = ["http://", "https://", "mailto:"]

// Toolbar labels by menu item name: what editors call these things, not what the library does.
const LABELS = {
  heading2: "Subheading",
  heading3: "Minor subheading",
  paragraph: "Paragraph",
  bulletList: "Bulleted list",
  orderedList: "Numbered list",
  blockquote: "Block quote",
  bold: "Bold",
  italic: "Italic",
  link: "Link",
  unlink: "Remove link",
  "history:undo": "Undo",
  "history:redo": "Redo",
  libraryFigure: "Insert image from library",
}

const isAllowedLink = (url) => {
  const value = String(url || "")
    .trim()
    .toLowerCase()
  return LINK_PREFIXES.some((prefix) => value.startsWith(prefix))
}

// "www.example.org/page" means the web address; anything else without an allowed scheme is refused.
const completeLink = (url) => {
  const value = String(url || "").trim()
  if (!isAllowedLink(value) && /^www\.[^\s/]+\.[^\s]+$/i.test(value)) {
    return `https://${value}`
  }
  if (!isAllowedLink(value) && /^[^\s@/:]+@[^\s@/:]+\.[a-z]{2,}$/i.test(value)) {
    return `mailto:${value}`
  }
  return value
}

const showMessage = (textarea, text) => {
  const message = document.getElementById(`${textarea.id}_message`)
  if (!message) return
  message.textContent = text
  message.hidden = !text
}

const DatelineLink = Link.extend({
  addOptions() {
    return {
      ...this.parent?.(),
      enableTarget: false,
      autolink: true,
      linkOnPaste: true,
      isAllowedUri: (url) => isAllowedLink(url),
    }
  },

  addCommands() {
    return {
      ...this.parent?.(),
      addLink:
        () =>
        ({ editor }) => {
          if (editor.state.selection.empty && !editor.isActive("link")) {
            showMessage(editor.options.element.querySelector("textarea"), "Select the words to link first.")
            return false
          }
          const current = editor.getAttributes(this.name)
          updateAttrsDialog(
            {
              href: { type: "string", title: "Address (https://…, http://… or mailto:…)" },
              title: { type: "string", title: "Title shown on hover (optional)" },
            },
            { title: "Link", submitText: "Save link" },
          )(editor, { href: current.href || "", title: current.title || "" }).then((attrs) => {
            const textarea = editor.options.element.querySelector("textarea")
            if (!attrs) return
            const href = completeLink(attrs.href)
            if (!href) {
              editor.chain().focus().extendMarkRange(this.name).unsetLink().run()
              showMessage(textarea, "")
              return
            }
            if (!isAllowedLink(href)) {
              showMessage(
                textarea,
                `“${href}” was not linked: a link must start with https://, http:// or mailto:.`,
              )
              editor.commands.focus()
              return
            }
            showMessage(textarea, "")
            editor
              .chain()
              .focus()
              .extendMarkRange(this.name)
              .setLink({ href, title: attrs.title || null })
              .run()
          })
          return true
        },
    }
  },
})

// A picture from the library: only its id is stored; the page fills in picture, caption and credit.
const LibraryFigure = Node.create({
  name: "libraryFigure",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions() {
    return { describe: () => Promise.resolve(null), pick: null }
  },

  addAttributes() {
    return {
      image: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-image"),
        renderHTML: (attributes) => ({ "data-image": attributes.image }),
      },
    }
  },

  parseHTML() {
    return [
      {
        tag: "figure[data-image]",
        getAttrs: (element) => (/^\d+$/.test(element.getAttribute("data-image") || "") ? null : false),
      },
    ]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addCommands() {
    return {
      insertLibraryFigure:
        (image) =>
        ({ commands }) =>
          commands.insertContent({ type: this.name, attrs: { image: String(image) } }),
    }
  },

  addMenuItems({ buttons, menu }) {
    if (!this.options.pick) return
    menu.defineItem({
      name: "libraryFigure",
      groups: "figures",
      command: () => this.options.pick(),
      button: buttons.material("add_photo_alternate", LABELS.libraryFigure),
    })
  },

  addNodeView() {
    return ({ node, editor, getPos }) => {
      const dom = document.createElement("figure")
      dom.className = "rich-text-figure"
      dom.dataset.image = node.attrs.image
      dom.contentEditable = "false"
      const picture = document.createElement("div")
      picture.className = "rich-text-figure__picture"
      const caption = document.createElement("figcaption")
      caption.textContent = `Library image ${node.attrs.image}`
      const remove = document.createElement("button")
      remove.type = "button"
      remove.className = "rich-text-figure__remove"
      remove.textContent = "Remove image"
      remove.addEventListener("click", (event) => {
        event.preventDefault()
        const pos = getPos()
        if (typeof pos === "number") {
          editor
            .chain()
            .focus()
            .deleteRange({ from: pos, to: pos + node.nodeSize })
            .run()
        }
      })
      dom.append(picture, caption, remove)
      this.options.describe(node.attrs.image).then((image) => {
        if (!image) {
          caption.textContent = `Image ${node.attrs.image} is not in the library: it will not be shown.`
          dom.classList.add("rich-text-figure--missing")
          return
        }
        const img = document.createElement("img")
        img.src = image.src
        img.alt = image.alt
        img.width = image.width
        img.height = image.height
        picture.append(img)
        caption.textContent = image.caption || image.label
        if (image.credit) {
          const credit = document.createElement("span")
          credit.className = "credit"
          credit.textContent = ` ${image.credit}`
          caption.append(credit)
        }
      })
      return { dom }
    }
  },
})

// Pasted HTML is rebuilt from a plain string scan before the browser parses any of it. Chrome reports an
// on* handler or a style attribute to the Content-Security-Policy as soon as it parses one (even into a
// <template> or a DOMParser document, where nothing runs), so they must be gone from the string itself.
// The scan follows the HTML tokenizer (tags, quoted values, comments, raw text such as <script>); the output
// is safe whatever the scan makes of odd input, because every tag in it is written here with only the
// attributes below, and every other "<" becomes text.
const SPACE = /[\t\n\f\r ]/
const TAG_NAME = /^[a-z][a-z0-9]*$/
// Their content is raw text to the browser's parser, and never part of an article.
const RAW_TEXT = new Set(["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title"])
// Tags dropped with their attributes; what they hold (text, paragraphs) is kept.
const DROPPED = new Set(["svg", "math", "template", "object", "embed", "meta", "link", "base", "form", "input"])
// Attributes kept: a link's address and title, a library figure's id, ProseMirror's own copy-and-paste marker.
const KEPT = { a: ["href", "title"], figure: ["data-image"] }

const quote = (value) => value.replace(/"/g, "&quot;")

// What a style attribute meant that the schema can keep, as data attributes read by styleMarks below.
const styleHints = (style) => {
  const hints = []
  const weight = /font-weight\s*:\s*([a-z0-9]+)/i.exec(style)?.[1]?.toLowerCase()
  if (weight) hints.push(/^(bold|bolder|[6-9]00)$/.test(weight) ? "data-dl-bold" : "data-dl-normal")
  if (/font-style\s*:\s*italic/i.test(style)) hints.push("data-dl-italic")
  if (/mso-list\s*:\s*l\d/i.test(style)) hints.push("data-dl-list")
  if (/mso-list\s*:\s*ignore/i.test(style)) hints.push("data-dl-marker")
  return hints
}

// Reads one tag from "<" at start; returns its name, whether it closes, its attributes and where it ends,
// or null when the input ends inside it (the browser drops such a tag too).
const readTag = (html, start) => {
  let i = start + 1
  const closing = html[i] === "/"
  if (closing) i += 1
  let name = ""
  while (i < html.length && !SPACE.test(html[i]) && html[i] !== "/" && html[i] !== ">") name += html[i++]
  const attrs = []
  for (;;) {
    while (i < html.length && (SPACE.test(html[i]) || html[i] === "/")) i += 1
    if (i >= html.length) return null
    if (html[i] === ">") return { name: name.toLowerCase(), closing, attrs, end: i + 1 }
    let attr = html[i++]
    while (i < html.length && !SPACE.test(html[i]) && !"/>=".includes(html[i])) attr += html[i++]
    while (i < html.length && SPACE.test(html[i])) i += 1
    let value = ""
    if (html[i] === "=") {
      i += 1
      while (i < html.length && SPACE.test(html[i])) i += 1
      if (html[i] === '"' || html[i] === "'") {
        const close = html.indexOf(html[i], i + 1)
        if (close < 0) return null
        value = html.slice(i + 1, close)
        i = close + 1
      } else {
        while (i < html.length && !SPACE.test(html[i]) && html[i] !== ">") value += html[i++]
      }
    }
    attrs.push([attr.toLowerCase(), value])
  }
}

const writeTag = ({ name, closing, attrs }) => {
  if (!TAG_NAME.test(name) || DROPPED.has(name) || RAW_TEXT.has(name)) return ""
  if (closing) return `</${name}>`
  const kept = []
  for (const [attr, value] of attrs) {
    if ((KEPT[name] || []).includes(attr) || attr === "data-pm-slice") kept.push(`${attr}="${quote(value)}"`)
    else if (attr === "style") kept.push(...styleHints(value))
  }
  return `<${[name, ...kept].join(" ")}>`
}

const rebuildPastedHTML = (html) => {
  let out = ""
  let i = 0
  while (i < html.length) {
    const lt = html.indexOf("<", i)
    if (lt < 0) {
      out += html.slice(i).replace(/>/g, "&gt;")
      break
    }
    out += html.slice(i, lt).replace(/>/g, "&gt;")
    const next = html[lt + 1] || ""
    if (html.startsWith("<!--", lt)) {
      // A comment: "<!-->" and "<!--->" close at once, otherwise "-->" or "--!>" does.
      if (html.startsWith("<!-->", lt) || html.startsWith("<!--->", lt)) {
        i = lt + (html.startsWith("<!-->", lt) ? 5 : 6)
        continue
      }
      const ends = [html.indexOf("-->", lt + 4), html.indexOf("--!>", lt + 4)].filter((at) => at >= 0)
      if (!ends.length) break
      const end = Math.min(...ends)
      i = end + (html.startsWith("-->", end) ? 3 : 4)
    } else if (next === "!" || next === "?" || (next === "/" && !/[a-z>]/i.test(html[lt + 2] || ""))) {
      // A declaration, a processing instruction or CDATA is a bogus comment up to the next ">".
      const end = html.indexOf(">", lt)
      if (end < 0) break
      i = end + 1
    } else if (/[a-z]/i.test(next) || (next === "/" && /[a-z]/i.test(html[lt + 2] || ""))) {
      const tag = readTag(html, lt)
      if (!tag) break
      out += writeTag(tag)
      i = tag.end
      if (!tag.closing && RAW_TEXT.has(tag.name)) {
        // Raw text runs to the first matching end tag; all of it goes.
        const close = new RegExp(`</${tag.name}[\\t\\n\\f\\r />]`, "i").exec(html.slice(i))
        if (!close) break
        i += close.index
      }
    } else if (next === "/" && html[lt + 2] === ">") {
      i = lt + 3
    } else {
      out += "&lt;"
      i = lt + 1
    }
  }
  return out
}

// The hints from styleHints become the schema's own marks; every data-dl-* attribute goes.
const styleMarks = (doc) => {
  for (const element of doc.body.querySelectorAll("[data-dl-bold], [data-dl-italic], [data-dl-normal]")) {
    if (element.hasAttribute("data-dl-normal") && /^(B|STRONG)$/.test(element.tagName)) {
      // Google Docs wraps the whole copy in <b style="font-weight:normal">: not bold at all.
      element.replaceWith(...element.childNodes)
      continue
    }
    for (const [hint, tag] of [
      ["data-dl-italic", "em"],
      ["data-dl-bold", "strong"],
    ]) {
      if (!element.hasAttribute(hint)) continue
      const mark = doc.createElement(tag)
      mark.append(...element.childNodes)
      element.append(mark)
    }
  }
}

// Word writes a list as paragraphs styled "mso-list" with the bullet or number as text; make it a list again.
const wordLists = (doc) => {
  let list = null
  for (const paragraph of doc.body.querySelectorAll("p[data-dl-list]")) {
    const marker = paragraph.querySelector("[data-dl-marker]")
    const ordered = /^\s*[0-9a-z]{1,4}[.)]/i.test(marker?.textContent || "")
    marker?.remove()
    const tag = ordered ? "OL" : "UL"
    if (!list || list.nextElementSibling !== paragraph || list.tagName !== tag) {
      list = doc.createElement(tag)
      paragraph.before(list)
    }
    const item = doc.createElement("li")
    item.append(...paragraph.childNodes)
    list.append(item)
    paragraph.remove()
  }
}

// Parsing the rebuilt string cannot be refused by the policy: it holds no handler and no style.
const cleanPastedHTML = (html) => {
  const rebuilt = rebuildPastedHTML(html)
  if (!rebuilt.includes("data-dl-")) return rebuilt
  const doc = new DOMParser().parseFromString(rebuilt, "text/html")
  wordLists(doc)
  styleMarks(doc)
  for (const element of doc.body.querySelectorAll("*")) {
    for (const name of element.getAttributeNames()) {
      if (name.startsWith("data-dl-")) element.removeAttribute(name)
    }
  }
  return doc.body.innerHTML
}

// Text pasted without formatting: a blank line starts a new paragraph, a single line break (as in
// wrapped wire copy) is a space. HTML from a word processor or a web page keeps only what the schema
// knows (headings, lists, links, emphasis, quotes); styles, spans, classes and scripts never get in.
const pasteRules = (mode, textarea) =>
  Extension.create({
    name: "datelinePaste",
    addProseMirrorPlugins() {
      // A picture pasted or dropped as a file has no caption, credit or alt text: it belongs in the library.
      const refuseFiles = (transfer) => {
        const files = [...(transfer?.files || [])]
        if (!files.length) return false
        showMessage(
          textarea,
          mode === "body"
            ? "Pictures are not pasted into the text: upload it with “Upload a new image” so it has a caption and credit."
            : "The summary holds text only.",
        )
        return true
      }
      return [
        new Plugin({
          props: {
            handlePaste: (view, event) =>
              !event.clipboardData?.getData("text/html") &&
              !event.clipboardData?.getData("text/plain") &&
              refuseFiles(event.clipboardData),
            handleDrop: (view, event) => refuseFiles(event.dataTransfer),
            transformPastedText(text) {
              const paragraphs = text
                .replace(/\r\n?/g, "\n")
                .split(/\n[ \t]*\n+/)
                .map((paragraph) => paragraph.replace(/\s*\n\s*/g, " ").trim())
                .filter(Boolean)
              return paragraphs.join(mode === "inline" ? " " : "\n")
            },
            transformPastedHTML(html) {
              let out = cleanPastedHTML(html)
                .replace(/<(\/?)h1(\s[^>]*)?>/gi, "<$1h2>")
                .replace(/<(\/?)h[4-6](\s[^>]*)?>/gi, "<$1h3>")
              if (mode === "inline") {
                // One sentence: blocks run together instead of being refused.
                out = out.replace(/<\/?(p|div|h[1-6]|li|ul|ol|blockquote|br)(\s[^>]*)?>/gi, " ")
              }
              return out
            },
          },
        }),
      ]
    },
  })

const describer = (url) => {
  const known = new Map()
  return (id) => {
    if (!url) return Promise.resolve(null)
    if (!known.has(id)) {
      known.set(
        id,
        fetch(`${url}?ids=${encodeURIComponent(id)}`, { credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : { images: [] }))
          .then((data) => data.images.find((image) => String(image.id) === String(id)) || null)
          .catch(() => null),
      )
    }
    return known.get(id)
  }
}

const countWords = (text) => (text.trim() ? text.trim().split(/\s+/).length : 0)

const updateCount = (textarea, editor) => {
  const count = document.getElementById(`${textarea.id}_count`)
  if (!count) return
  const words = countWords(editor.getText({ blockSeparator: "\n" }))
  const minutes = Math.ceil(words / READING_SPEED)
  count.querySelector("[data-words]").textContent = `${words} word${words === 1 ? "" : "s"}`
  count.querySelector("[data-minutes]").textContent = minutes ? `${minutes} min read` : "nothing to read yet"
}

const relabel = (editor) => {
  const menubar = editor.options.element.querySelector(".prose-menubar")
  if (!menubar) return
  menubar.setAttribute("role", "toolbar")
  menubar.setAttribute("aria-label", "Formatting")
  for (const button of menubar.querySelectorAll("button[data-name]")) {
    const label = LABELS[button.dataset.name]
    if (label) {
      button.title = label
      button.setAttribute("aria-label", label)
    }
  }
}

// The field's label and help text now name the editing area, not the textarea hidden under it.
const moveLabel = (textarea, editor, mode) => {
  const area = editor.view.dom
  area.setAttribute("role", "textbox")
  area.setAttribute("aria-multiline", String(mode === "body"))
  const label = document.querySelector(`label[for="${textarea.id}"]`)
  if (label) {
    label.id = label.id || `${textarea.id}_label`
    label.removeAttribute("for")
    area.setAttribute("aria-labelledby", label.id)
    label.addEventListener("click", () => editor.commands.focus())
  }
  const described = textarea.getAttribute("aria-describedby")
  if (described) area.setAttribute("aria-describedby", described)
}

// The extensions the schema may name (EDITOR_EXTENSIONS and INLINE_EXTENSIONS in newsroom/admin/editor.py).
const AVAILABLE = {
  Blockquote,
  Bold,
  BulletList,
  HardBreak,
  Heading,
  Italic,
  Link: DatelineLink,
  ListItem,
  OrderedList,
  Paragraph,
}

const fromSchema = (extensions) =>
  Object.entries(extensions || {})
    .filter(([name, options]) => AVAILABLE[name] && options !== false)
    .map(([name, options]) =>
      typeof options === "object" ? AVAILABLE[name].configure(options) : AVAILABLE[name],
    )

const extensionsFor = (config, textarea) => {
  const shared = [
    Text,
    ...fromSchema(config.extensions),
    History,
    Dropcursor,
    Gapcursor,
    pasteRules(config.mode, textarea),
  ]
  if (config.mode === "inline") {
    return [
      ...shared,
      Document.extend({ content: "paragraph" }),
      Menu.configure({ groups: [{ group: "marks" }, { group: "link" }, { group: "history" }] }),
    ]
  }
  const chooser = document.getElementById(`${textarea.id}_image`)
  const lookup = document.getElementById(`lookup_${textarea.id}_image`)
  return [
    ...shared,
    Document,
    LibraryFigure.configure({
      describe: describer(config.figures),
      pick: chooser && lookup ? () => lookup.click() : null,
    }),
    Menu.configure({
      groups: [
        { group: "blockType -lists" },
        { group: "lists" },
        { group: "nodes -blockType -lists" },
        { group: "marks" },
        { group: "link" },
        { group: "figures" },
        { group: "history" },
      ],
    }),
  ]
}

// django-prose-editor's createTextareaEditor, but with Tiptap's own stylesheet left out (injectCSS): it
// would be written into a <style> element, which the policy refuses. static/css/admin/prosemirror.css
// carries those rules instead.
const textareaEditor = (textarea, extensions) => {
  const disabled = textarea.hasAttribute("disabled")
  const element = document.createElement("div")
  element.className = disabled ? "prose-editor disabled" : "prose-editor"
  textarea.before(element)
  element.append(textarea)
  return new Editor({
    element,
    editable: !disabled,
    extensions,
    content: textarea.value,
    injectCSS: false,
    onUpdate({ editor }) {
      const html = editor.getHTML()
      // An editor holding one empty paragraph is an empty field.
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
    onDestroy() {
      element.before(textarea)
      element.remove()
    },
  })
}

const start = (textarea) => {
  if (textarea.closest(".prose-editor")) return
  const config = JSON.parse(textarea.dataset.richText || "{}")
  const editor = textareaEditor(textarea, extensionsFor(config, textarea))
  editor.options.element.classList.add(`prose-editor--${config.mode}`)
  // Tiptap builds the toolbar once the editor is created, a moment after this call returns.
  editor.on("create", () => {
    relabel(editor)
    moveLabel(textarea, editor, config.mode)
    updateCount(textarea, editor)
  })
  editor.on("update", () => {
    updateCount(textarea, editor)
    // A message about the last refused link or picture goes once the editor writes on.
    showMessage(textarea, "")
  })

  // Django's related-object popups (choose or upload an image) write the chosen id into this input.
  const chooser = document.getElementById(`${textarea.id}_image`)
  if (chooser && window.django?.jQuery) {
    window.django.jQuery(chooser).on("change", () => {
      const id = chooser.value.trim()
      chooser.value = ""
      if (/^\d+$/.test(id)) {
        editor.chain().focus().insertLibraryFigure(id).run()
        // Writing goes on below the picture, not over it.
        const { selection, doc } = editor.state
        if (selection.node?.type.name === "libraryFigure") {
          const next = doc.resolve(selection.to).nodeAfter
          if (next?.isTextblock) editor.commands.setTextSelection(selection.to + 1)
          else editor.commands.createParagraphNear()
        }
        showMessage(textarea, "")
      }
    })
  }
  textarea.richTextEditor = editor
  textarea.dispatchEvent(new CustomEvent("rich-text:ready", { bubbles: true, detail: { editor } }))
}

for (const textarea of document.querySelectorAll("textarea[data-rich-text]")) {
  start(textarea)
}

// The preview frame stays hidden until the first preview is asked for, so the form below it is not
// pushed a screen further down by an empty box. Without JavaScript the frame keeps its full height.
for (const preview of document.querySelectorAll(".rich-text__preview")) {
  const frame = preview.querySelector(".rich-text__preview-frame")
  const button = preview.querySelector(".rich-text__preview-button")
  if (!frame || !button) continue
  preview.classList.add("rich-text__preview--waiting")
  button.addEventListener("click", () => preview.classList.remove("rich-text__preview--waiting"))
}
