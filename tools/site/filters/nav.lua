-- Page furniture: the title comes from the first level-1 heading (which is
-- removed from the body, the template prints it), and the chapter list from
-- metadata `chapters` (a list of {href, title, num}, written by sitegen.py)
-- gets the current page marked and prev/next set.  Metadata `page` is this
-- page's href.
local C = dofile(pandoc.path.join({pandoc.path.directory(PANDOC_SCRIPT_FILE), "common.lua"}))

return {
  {
    Pandoc = function(doc)
      local meta = doc.meta
      if meta.title == nil then
        for i, b in ipairs(doc.blocks) do
          if b.t == "Header" and b.level == 1 then
            meta.title = b.content
            if b.identifier ~= "" then meta["title-id"] = b.identifier end
            doc.blocks:remove(i)
            break
          end
        end
      end
      if meta.title == nil then
        error((C.meta_string(meta, "source") or "page") .. ": no level-1 heading to use as the title")
      end
      local page = C.meta_string(meta, "page")
      local chapters = meta.chapters
      if chapters and page then
        for i, ch in ipairs(chapters) do
          if C.meta_string(ch, "href") == page then
            ch.current = true
            if i > 1 then meta.prev = chapters[i - 1] end
            if i < #chapters then meta.next = chapters[i + 1] end
            meta["chapter-num"] = ch.num
            -- "Chapter 02" above the title, unless the title starts with it
            local num = C.meta_string(ch, "num") or ""
            local t = pandoc.utils.stringify(meta.title)
            if num ~= "" and t:sub(1, #num) ~= num and t:sub(1, #num - 1) ~= num:gsub("^0", "") then
              meta.kicker = "Chapter " .. num
            end
          end
        end
      end
      doc.meta = meta
      -- links between chapters are written to the markdown files
      -- ([x](01-literate.md#ID), which also works when reading doc/ on a
      -- forge); point them at the chapter pages
      local known = {}
      for _, ch in ipairs(chapters or {}) do known[C.meta_string(ch, "href")] = true end
      local root = C.meta_string(meta, "root") or ""
      doc = doc:walk({
        Link = function(link)
          local name, frag = link.target:match("^[%./]*[%w_%-/]-([%w_%-]+)%.md(#?.*)$")
          if name and known[name .. ".html"] and not link.target:match("^%a+:") then
            link.target = root .. name .. ".html" .. frag
            return link
          end
        end,
      })
      return doc
    end,
  },
}
