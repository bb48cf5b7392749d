"""``{% extends %}``, with the blocks of the page a template extends found once (loaded into every template).

Django's ``ExtendsNode`` walks the whole of the root template (``base.html``: its header, footer, every
``{% if %}`` and passage) on every render to find its blocks again, though a compiled template never
changes: about 50 µs a page. Here the blocks of each compiled root template are kept beside it (a weak
reference, so a template compiled again while developing takes its old entry with it). Everything else is
Django's own tag: the same parsing, the same errors, the same search for the parent.
"""

from __future__ import annotations

import weakref

from django import template
from django.template.base import TextNode
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode, do_extends

register = template.Library()

# Compiled template -> its blocks by name if it is a root (extends nothing), None if it extends another.
_root_blocks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def root_blocks(compiled) -> dict | None:
    """The blocks of ``compiled`` by name when it extends no other template, else None (as Django decides it:
    the first node that is not text is an ``{% extends %}`` or it is not)."""
    try:
        return _root_blocks[compiled]
    except KeyError:
        pass
    blocks = None
    for node in compiled.nodelist:
        if not isinstance(node, TextNode):
            if not isinstance(node, ExtendsNode):
                blocks = {block.name: block for block in compiled.nodelist.get_nodes_by_type(BlockNode)}
            break
    _root_blocks[compiled] = blocks
    return blocks


class KeptBlocksExtendsNode(ExtendsNode):
    def render(self, context):
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        blocks = root_blocks(compiled_parent)
        if blocks:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


@register.tag("extends")
def extends(parser, token):
    node = do_extends(parser, token)
    node.__class__ = KeptBlocksExtendsNode
    return node
