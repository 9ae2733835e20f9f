-- Code blocks: labels for tangled chunks, links back to the chapter source,
-- syntax highlighting with per-block line anchors, <<chunk>> references as
-- links, rule IDs in code as links, and ```{.dot} blocks as inline SVG.
--
-- Metadata used: source (e.g. doc/05-x.md, the file as named in labels),
-- source-href (the site's source view of it), root, page, rulemap.
local C = dofile(pandoc.path.join({pandoc.path.directory(PANDOC_SCRIPT_FILE), "common.lua"}))

local source, source_href, root, page = nil, nil, "", ""
local rulemap = {}
local fences = {}        -- fenced blocks scanned from the source: {line=, text=}
local fence_pos = 1
local defined = {}       -- chunk name -> anchor id of its first definition
local files = {}         -- output file -> anchor id of its first block
local chunk_seen = {}    -- chunk name -> true once its first block is rendered
local block_no = 0
local diagram_no = 0

-- Scan the markdown source for fenced code blocks (CommonMark rules, top level
-- and indented up to 3 spaces). Blocks nested in block quotes or lists are
-- not matched and get no source line.
local function scan_fences(text)
  local list = {}
  local open = nil
  local n = 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if open then
      local ind, fence = line:match("^( ?%s?%s?)([`~]+)%s*$")
      if fence and fence:sub(1, 1) == open.char and #fence >= open.len then
        table.insert(list, {line = open.line, text = table.concat(open.body, "\n")})
        open = nil
      else
        local l = line
        for _ = 1, open.indent do
          if l:sub(1, 1) == " " then l = l:sub(2) end
        end
        table.insert(open.body, l)
      end
    else
      local ind, fence = line:match("^( ?%s?%s?)(```+)")
      if not fence then ind, fence = line:match("^( ?%s?%s?)(~~~+)") end
      if fence and not (fence:sub(1, 1) == "`" and line:sub(#ind + #fence + 1):find("`", 1, true)) then
        open = {line = n, char = fence:sub(1, 1), len = #fence, indent = #ind, body = {}}
      end
    end
  end
  return list
end

-- Source line of a code block's fence, matched by exact text in document order.
local function source_line(text)
  for i = fence_pos, #fences do
    if fences[i].text == text then
      fence_pos = i + 1
      return fences[i].line
    end
  end
  return nil
end

local function rule_link(id)
  local p = rulemap[id]
  if not p then return nil end
  if p == page then return "#" .. id end
  return root .. p .. "#" .. id
end

-- Highlight with pandoc's own HTML writer (skylighting), then post-process.
local function highlight(text, classes, id, refs)
  local lang = pandoc.List()
  for _, c in ipairs(classes) do lang:insert(c) end
  local html = pandoc.write(pandoc.Pandoc({pandoc.CodeBlock(text, pandoc.Attr(id, lang))}), "html")
  -- drop skylighting's empty per-line self-links (one per line: thousands of
  -- links on a long chapter); the per-line ids stay linkable
  html = html:gsub('<a href="#[%w%-]+" aria%-hidden="true" tabindex="%-1"></a>', "")
  -- <<chunk>> placeholders -> links (or plain references if defined elsewhere)
  html = html:gsub("MMUSPECCHUNKREF(%d+)Z", function(k)
    local name = refs[tonumber(k)]
    local esc = C.html_escape(name)
    local target = defined[name]
    if target then
      return '<a class="chunkref" href="#' .. target .. '">⟨' .. esc .. '⟩</a>'
    end
    return '<span class="chunkref">⟨' .. esc .. '⟩</span>'
  end)
  -- [RULE-ID] in code (comments) -> link to the rule
  html = html:gsub("%[([%u%d%-]+)%]", function(rid)
    if not C.is_rule_id(rid) then return nil end
    local href = rule_link(rid)
    if not href then
      C.warn(page .. ": code cites unknown rule [" .. rid .. "]")
      return nil
    end
    return '[<a class="ruleref" href="' .. href .. '">' .. rid .. '</a>]'
  end)
  return html
end

local function render_dot(cb)
  diagram_no = diagram_no + 1
  local ok, svg = pcall(pandoc.pipe, "dot", {"-Tsvg", "-Gfontname=DejaVu Sans", "-Nfontname=DejaVu Sans", "-Efontname=DejaVu Sans", "-Gfontsize=12", "-Nfontsize=12", "-Efontsize=11"}, cb.text)
  if not ok then
    error("graphviz failed on diagram " .. diagram_no .. " in " .. (source or page) ..
      ": " .. tostring(svg))
  end
  svg = svg:gsub("^.-(<svg)", "%1")
  -- keep graphviz ids unique on a page with several diagrams
  local pfx = "dg" .. diagram_no .. "-"
  svg = svg:gsub('id="', 'id="' .. pfx):gsub('href="#', 'href="#' .. pfx)
  svg = svg:gsub("<!%-%-.-%-%->\n?", "")
  -- shrink to fit a narrow page only down to 62% of the drawn size, so the
  -- labels stay readable (about 9.5 px); below that the figure scrolls sideways
  svg = svg:gsub('^<svg width="([%d.]+)pt"', function(w)
    return string.format('<svg style="min-width: %dpx" width="%spt"', math.floor(tonumber(w) * 4 / 3 * 0.62), w)
  end, 1)
  local cap = cb.attributes["caption"]
  local html = '<figure class="diagram"' .. (cb.identifier ~= "" and (' id="' .. cb.identifier .. '"') or "") ..
    '>\n' .. svg
  if cap then
    -- "->invalidate()" must not break after its "-"
    local c = C.html_escape(cap):gsub("(%S*%-&gt;%S*)", '<span class="nobr">%1</span>')
    html = html .. '<figcaption>' .. c .. '</figcaption>\n'
  end
  return pandoc.RawBlock("html", html .. '</figure>')
end

local function render(cb)
  if cb.classes:includes("dot") then return render_dot(cb) end
  block_no = block_no + 1
  local id = "c" .. block_no
  local line = source_line(cb.text)
  local file, chunk = cb.attributes["file"], cb.attributes["chunk"]
  -- replace <<name>> lines by a placeholder the highlighter keeps intact
  local refs = {}
  local text = cb.text
  if file or chunk then
    text = (text .. "\n"):gsub("([^\n]*)\n", function(l)
      local ind, name = l:match("^(%s*)<<(.+)>>%s*$")
      if name then
        table.insert(refs, name)
        return ind .. "MMUSPECCHUNKREF" .. #refs .. "Z\n"
      end
      return l .. "\n"
    end):sub(1, -2)
  end
  local classes = cb.classes:filter(function(c) return c ~= "numberLines" end)
  local code = highlight(text, classes, id, refs)
  if not (file or chunk) then
    return pandoc.RawBlock("html", '<div class="codeblock">' .. code .. '</div>')
  end
  local anchor, label
  if file then
    local cont = files[file] ~= nil
    anchor = cont and (id) or ("file-" .. C.slug(file))
    files[file] = files[file] or anchor
    label = '<span class="chunk-kind">' .. (cont and "file (continued)" or "file") ..
      '</span> <a class="chunk-name" href="#' .. anchor .. '"><code>' .. C.html_escape(file) ..
      '</code></a>'
  else
    local first = not chunk_seen[chunk]
    chunk_seen[chunk] = true
    anchor = first and defined[chunk] or id
    label = '<span class="chunk-kind">chunk</span> <a class="chunk-name" href="#' .. anchor ..
      '">⟨' .. C.html_escape(chunk) .. '⟩' .. (first and "≡" or "+≡") .. '</a>'
  end
  local src = ""
  if line and source then
    local where = source .. ":" .. line
    if source_href then
      src = '<a class="chunk-src" href="' .. source_href .. '#L' .. line ..
        '" title="markdown source of this block">' .. C.html_escape(where) .. '</a>'
    else
      src = '<span class="chunk-src">' .. C.html_escape(where) .. '</span>'
    end
  end
  return pandoc.RawBlock("html", '<div class="chunk" id="' .. anchor .. '">\n' ..
    '<div class="chunk-label">' .. label .. src .. '</div>\n' .. code .. '</div>')
end

return {
  {
    Meta = function(meta)
      source = C.meta_string(meta, "source")
      source_href = C.meta_string(meta, "source-href")
      root = C.meta_string(meta, "root") or ""
      page = C.meta_string(meta, "page") or ""
      rulemap = C.load_rulemap(C.meta_string(meta, "rulemap"))
      local path = PANDOC_STATE.input_files[1]
      local text = path and C.read_file(path)
      if text then fences = scan_fences(text) end
    end,
  },
  {
    Pandoc = function(doc)
      -- first pass: where is each chunk first defined?
      local taken = {}
      doc:walk({
        CodeBlock = function(cb)
          local ch = cb.attributes["chunk"]
          if ch and not defined[ch] then
            local a, k = "chunk-" .. C.slug(ch), 1
            while taken[a] do k = k + 1; a = "chunk-" .. C.slug(ch) .. "-" .. k end
            taken[a] = true
            defined[ch] = a
          end
        end,
      })
      return doc:walk({CodeBlock = render})
    end,
  },
}
