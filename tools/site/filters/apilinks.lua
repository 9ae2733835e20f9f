-- Link API names in inline code to the Doxygen pages.
--
-- Metadata: doxygen-tagfile (path to Doxygen's tag file), doxygen-base (URL
-- prefix of the Doxygen HTML, e.g. "api/" or "../api/").
-- Recognised inline code:  `name()`  `struct name`  `union name`  `enum name`
-- and a bare `NAME` that is a macro, enum value, typedef, enum or function.
-- Unknown names stay plain code. Links are never nested inside other links.
local C = dofile(pandoc.path.join({pandoc.path.directory(PANDOC_SCRIPT_FILE), "common.lua"}))

local syms = {}      -- key -> href   (keys: "f:name", "s:name", "u:name", "e:name", "b:name")
local base = "api/"

local function html_name(f)
  if f:match("%.html$") then return f end
  return f .. ".html"
end

local function add(key, href, from_header)
  -- prefer declarations in headers over .c files when a name occurs twice
  local cur = syms[key]
  if cur == nil or (from_header and not cur.h) then
    syms[key] = {href = href, h = from_header}
  end
end

local function load_tags(path)
  local text = C.read_file(path)
  if not text then
    C.warn("no Doxygen tag file at " .. path .. "; API names stay unlinked")
    return
  end
  for kind, body in text:gmatch('<compound kind="(%w+)"[^>]*>(.-)</compound>') do
    local head = body:match("^(.-)<member") or body
    local cname = head:match("<name>(.-)</name>")
    local cfile = head:match("<filename>(.-)</filename>")
    local in_header = (cname or ""):match("%.h$") ~= nil
    if (kind == "struct" or kind == "union") and cname and cfile then
      add((kind == "struct" and "s:" or "u:") .. cname, base .. html_name(cfile), true)
    end
    if kind == "file" then
      for mkind, mbody in body:gmatch('<member kind="(%w+)"[^>]*>(.-)</member>') do
        local name = mbody:match("<name>(.-)</name>")
        local af = mbody:match("<anchorfile>(.-)</anchorfile>")
        local an = mbody:match("<anchor>(.-)</anchor>")
        if name and af and an then
          local href = base .. html_name(af) .. "#" .. an
          if mkind == "function" or mkind == "define" then add("f:" .. name, href, in_header) end
          if mkind == "enumeration" then add("e:" .. name, href, in_header) end
          if mkind == "function" or mkind == "define" or mkind == "enumvalue" or
             mkind == "typedef" or mkind == "enumeration" then
            add("b:" .. name, href, in_header)
          end
        end
      end
    end
  end
end

local function lookup(code)
  local t = code:match("^%s*(.-)%s*$")
  local name = t:match("^([%a_][%w_]*)%s*%(%s*%)$")
  if name then return syms["f:" .. name] end
  local kw, n2 = t:match("^(%a+)%s+([%a_][%w_]*)$")
  if kw == "struct" then return syms["s:" .. n2] end
  if kw == "union" then return syms["u:" .. n2] end
  if kw == "enum" then return syms["e:" .. n2] end
  if t:match("^[%a_][%w_]*$") then return syms["b:" .. t] end
  return nil
end

return {
  {
    Meta = function(meta)
      base = C.meta_string(meta, "doxygen-base") or base
      local tf = C.meta_string(meta, "doxygen-tagfile")
      if tf then load_tags(tf) end
    end,
  },
  {
    Code = function(el)
      local hit = lookup(el.text)
      if hit then
        return pandoc.Link({el}, hit.href, "API reference for " .. el.text,
          pandoc.Attr("", {"apilink"}))
      end
    end,
  },
  {
    -- a Code that already sat inside a link must not become a nested link
    Link = function(link)
      link.content = link.content:walk({
        Link = function(inner)
          if inner.classes:includes("apilink") then return inner.content end
        end,
      })
      return link
    end,
  },
}
