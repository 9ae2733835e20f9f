-- Rule anchors and rule references.
--
-- A paragraph whose first word is "[ID]" (ID = ^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$)
-- defines rule ID: it becomes <div class="rule" id="ID"> with a visible
-- permalink (§ID) and a link to the rule's row in rules.html.
-- "[ID]" anywhere else in prose becomes a link to the rule's definition, found
-- through the rule map (metadata rulemap: a file of ID<TAB>page.html lines).
-- References to rules that the map does not know are reported on stderr and
-- rendered as <span class="ruleref unknown">.
local C = dofile(pandoc.path.join({pandoc.path.directory(PANDOC_SCRIPT_FILE), "common.lua"}))

local rulemap, page, root = {}, "", ""
local seen = {}

local function rule_href(id)
  local p = rulemap[id]
  if p == nil then return nil end
  if p == page then return "#" .. id end
  return root .. p .. "#" .. id
end

local function ref_inlines(prefix, id, suffix)
  local out = pandoc.List()
  if prefix ~= "" then out:insert(pandoc.Str(prefix)) end
  local href = rule_href(id)
  if href then
    out:insert(pandoc.Link({pandoc.Str("[" .. id .. "]")}, href, "rule " .. id,
      pandoc.Attr("", {"ruleref"})))
  else
    C.warn(page .. ": reference to unknown rule [" .. id .. "]")
    out:insert(pandoc.Span({pandoc.Str("[" .. id .. "]")},
      pandoc.Attr("", {"ruleref", "unknown"}, {{"title", "no rule " .. id .. " is defined"}})))
  end
  return out, suffix
end

-- Split one Str on every [ID] it holds.
local function split_str(s)
  local out = pandoc.List()
  local rest = s
  while true do
    local pre, id, post = rest:match("^(.-)%[([%u%d%-]+)%](.*)$")
    if not id then break end
    if C.is_rule_id(id) then
      local inl
      inl, rest = ref_inlines(pre, id, post)
      out:extend(inl)
    else
      out:insert(pandoc.Str(pre .. "[" .. id .. "]"))
      rest = post
    end
  end
  if rest ~= "" then out:insert(pandoc.Str(rest)) end
  return out
end

local function refs_in(inlines)
  local out = pandoc.List()
  for _, el in ipairs(inlines) do
    if el.t == "Str" and el.text:find("[", 1, true) then
      out:extend(split_str(el.text))
    else
      out:insert(el)
    end
  end
  return out
end

local function definition(para)
  local first = para.content[1]
  if not first or first.t ~= "Str" then return nil end
  local id, tail = first.text:match("^%[([%u%d%-]+)%](.*)$")
  if not id or not C.is_rule_id(id) then return nil end
  if seen[id] then
    error("rule " .. id .. " is defined twice in " .. page)
  end
  seen[id] = true
  local content = pandoc.List()
  content:insert(pandoc.Link({pandoc.Span({pandoc.Str("§")}, pandoc.Attr("", {"sect"})),
    pandoc.Str(id)}, "#" .. id, "Permalink to rule " .. id,
    pandoc.Attr("", {"rule-id"})))
  if tail ~= "" then content:insert(pandoc.Str(tail)) end
  local rest = pandoc.List()
  for i = 2, #para.content do rest:insert(para.content[i]) end
  content:extend(refs_in(rest))
  content:insert(pandoc.Space())
  content:insert(pandoc.Link({pandoc.Str("index")}, root .. "rules.html#" .. id,
    "Rule " .. id .. " in the rule index: oracle checks, litmus tests, bug-zoo entries",
    pandoc.Attr("", {"rule-xref"})))
  return pandoc.Div({pandoc.Para(content)}, pandoc.Attr(id, {"rule"}, {{"data-rule", id}}))
end

return {
  {
    Meta = function(meta)
      rulemap = C.load_rulemap(C.meta_string(meta, "rulemap"))
      page = C.meta_string(meta, "page") or ""
      root = C.meta_string(meta, "root") or ""
    end,
  },
  {
    Para = function(para)
      local d = definition(para)
      if d then return d end
      para.content = refs_in(para.content)
      return para
    end,
    Plain = function(pl)
      pl.content = refs_in(pl.content)
      return pl
    end,
  },
}
