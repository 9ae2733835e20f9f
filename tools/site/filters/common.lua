-- Helpers shared by the mmuspec site filters (loaded with dofile).
local M = {}

-- A rule ID: ^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$  (Lua patterns have no groups
-- with repetition, so check it piecewise).
function M.is_rule_id(s)
  if not s:match("^[A-Z][A-Z0-9]*%-[A-Z0-9%-]+$") then return false end
  if s:match("%-%-") or s:match("%-$") then return false end
  return true
end

-- Metadata value as a plain string (or nil).
function M.meta_string(meta, key)
  local v = meta[key]
  if v == nil then return nil end
  if type(v) == "string" then return v end
  return pandoc.utils.stringify(v)
end

-- Read a whole file; nil if it does not exist.
function M.read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

function M.html_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- Turn a name into an id fragment: lowercase, non-alphanumerics to '-'.
function M.slug(s)
  local t = s:lower():gsub("[^%w]+", "-"):gsub("^%-+", ""):gsub("%-+$", "")
  if t == "" then t = "x" end
  return t
end

-- ID -> page map written by sitegen.py (ID<TAB>page.html per line).
function M.load_rulemap(path)
  local map = {}
  local text = path and M.read_file(path)
  if not text then return map end
  for line in text:gmatch("[^\n]+") do
    local id, page = line:match("^([^\t]+)\t([^\t]+)")
    if id then map[id] = page end
  end
  return map
end

function M.warn(msg)
  io.stderr:write("site: warning: " .. msg .. "\n")
end

return M
