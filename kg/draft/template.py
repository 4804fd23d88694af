"""Write a draft as TriG: the article layer, the claim graphs and the new-entity stubs.

This is the one module that knows the model's shape (which classes and properties a sentence,
a claim record, an annotation and a claim graph use). Everything before it (sentences, names,
dates, amounts) is plain records; a change of the model is a change here, and in the tests that
pin its output.

A draft claim is a ``schema:Claim`` record with ``schema:creativeWorkStatus "Draft"`` and an
empty graph headed by comments that list what the sentence names and states, ready to be used in
its statements. Claims the text settles alone (the headline, the date) are written whole.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kg import iris
from kg.draft.document import Amount, ArticleDraft, DateValue, Mention, NewEntity, Sentence

DRAFT_STATUS = '"Draft"'
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = """\
@prefix : <{id}> .
@prefix article: <{id}article/> .
@prefix sentence: <{id}article/{article}/sentence/> .
@prefix claim: <{id}claim/{article}/> .
@prefix annotation: <{id}annotation/{article}/> .
@prefix this: <{id}article/{article}/> .
@prefix pek: <{ontology}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix schema: <https://schema.org/> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix cur: <http://qudt.org/vocab/currency/> .
@prefix wd: <http://www.wikidata.org/entity/> .
"""


def text(value: str, language: str | None = None) -> str:
    """Return a string literal in Turtle syntax (escaped by pyoxigraph)."""
    return str(Literal(value, language=language))


def typed(value: str, datatype: str) -> str:
    """Return a typed literal with its datatype written as an xsd: prefixed name."""
    return f"{text(value)}^^xsd:{datatype.removeprefix(XSD)}"


def prefixes(article_id: str) -> str:
    """Return the prefixes every draft file declares."""
    return PREFIXES.format(id=iris.ID_NS, article=article_id, ontology=iris.ONTOLOGY_NS)


def short(iri: str) -> str:
    """Return an IRI as the shortest prefixed name the draft files declare, or in brackets."""
    for prefix, namespace in (("wd:", iris.WIKIDATA_ENTITY), (":", iris.ID_NS)):
        local = iri.removeprefix(namespace)
        if local != iri and local.replace("-", "").isalnum():
            return prefix + local
    return f"<{NamedNode(iri).value}>"


def number(draft: ArticleDraft, sentence: Sentence) -> str:
    """Return a sentence's number as written in IRIs, zero-padded ("08")."""
    return str(sentence.number).zfill(max(2, len(str(len(draft.sentences)))))


def claim_name(draft: ArticleDraft, sentence: Sentence) -> str:
    """Return the local name of the claim a sentence is drafted with."""
    return {"headline": "headline", "dateline": "date-published"}.get(
        sentence.role, number(draft, sentence)
    )


def article_trig(draft: ArticleDraft) -> str:
    """Return the article layer: the article, its sentences and selectors, the claim records."""
    meta = draft.meta
    roles = {s.role for s in draft.sentences}
    about = [
        f"article:{meta.article_id} a schema:NewsArticle",
        f"schema:inLanguage {text(meta.language)}",
    ]
    if "headline" not in roles:
        about.append(f"schema:headline {text(meta.headline, meta.language)}")
    if "dateline" not in roles:
        about.append(f"schema:datePublished {typed(meta.published.isoformat(), 'date')}")
    if meta.publisher:
        about.append(
            f"schema:publisher [ a schema:Organization ; schema:name {text(meta.publisher)} ]"
        )
    body = ["    " + " ;\n        ".join(about) + " ."]
    body += [sentence_block(draft, s) for s in draft.sentences]
    body += [claim_record(draft, s) for s in draft.sentences]
    header = (
        f"# The article layer of {meta.article_id}, drafted by `kg draft`: the article, its\n"
        "# sentences (an exact quote and code-point offsets into article.txt each) and one\n"
        "# claim record with its Web Annotation per sentence. A record marked\n"
        '# creativeWorkStatus "Draft" still needs its statements in claims.trig: write them,\n'
        "# check its label, then delete the Draft line. Delete a sentence's blocks (and its\n"
        "# claim) if it states nothing.\n\n"
    )
    graph = f"<{iris.GRAPH_NS}article/{meta.article_id}> {{\n" + "\n\n".join(body) + "\n}\n"
    return header + prefixes(meta.article_id) + "\n" + graph


def sentence_block(draft: ArticleDraft, sentence: Sentence) -> str:
    """Return a sentence with its quote and position selectors."""
    n = number(draft, sentence)
    quote = [f"oa:exact {text(sentence.exact)}"]
    if sentence.prefix is not None:
        quote.append(f"oa:prefix {text(sentence.prefix)}")
    if sentence.suffix is not None:
        quote.append(f"oa:suffix {text(sentence.suffix)}")
    return (
        f"    sentence:{n} a pek:Sentence ;\n"
        f"        oa:hasSource article:{draft.meta.article_id} ;\n"
        f"        oa:hasSelector sentence:{n}-quote , sentence:{n}-position .\n"
        f"    sentence:{n}-quote a oa:TextQuoteSelector ;\n"
        f"        " + " ;\n        ".join(quote) + " .\n"
        f"    sentence:{n}-position a oa:TextPositionSelector ;\n"
        f"        oa:start {sentence.start} ;\n"
        f"        oa:end {sentence.end} ."
    )


def claim_record(draft: ArticleDraft, sentence: Sentence) -> str:
    """Return the claim record of a sentence and the annotation that ties it to the sentence."""
    name, n = claim_name(draft, sentence), number(draft, sentence)
    label = {
        "headline": "The article's headline.",
        "dateline": "The article's date of publication.",
    }.get(sentence.role, sentence.one_line)
    # The Draft line sits inside the record, so that deleting it leaves valid TriG.
    status = (
        ""
        if sentence.role in ("headline", "dateline")
        else f"        schema:creativeWorkStatus {DRAFT_STATUS} ;\n"
    )
    return (
        f"    claim:{name} a schema:Claim ;\n"
        f"{status}"
        f"        rdfs:label {text(label, draft.meta.language)} ;\n"
        f"        schema:appearance article:{draft.meta.article_id} ;\n"
        f"        prov:wasDerivedFrom sentence:{n} .\n"
        f"    annotation:{name} a oa:Annotation ;\n"
        f"        oa:motivatedBy oa:describing ;\n"
        f"        oa:hasBody claim:{name} ;\n"
        f"        oa:hasTarget sentence:{n} ."
    )


def claims_trig(draft: ArticleDraft) -> str:
    """Return one graph per claim: written for the headline and date, skeletons otherwise."""
    meta = draft.meta
    header = (
        f"# The claims of {meta.article_id}, one named graph each: the statements one sentence\n"
        "# makes, exactly as written (its words, its numbers, its dates at their precision). The\n"
        "# comments above each empty graph list what `kg draft` found in the sentence. Mint the\n"
        "# nodes only this article describes (a tenure as stated, an amount) under this:, so that\n"
        "# no other article writes to them.\n\n"
    )
    graphs = [claim_graph(draft, s) for s in draft.sentences]
    return header + prefixes(meta.article_id) + "\n" + "\n\n".join(graphs) + "\n"


def claim_graph(draft: ArticleDraft, sentence: Sentence) -> str:
    """Return the graph of one claim, with the sentence and its findings as comments."""
    meta = draft.meta
    name = claim_name(draft, sentence)
    lines = [f"# Sentence {number(draft, sentence)}: {sentence.one_line}"]
    whole = {
        "headline": f"schema:headline {text(sentence.one_line, meta.language)}",
        "dateline": f"schema:datePublished {typed(meta.published.isoformat(), 'date')}",
    }.get(sentence.role)
    if whole is not None:
        statement = f"article:{meta.article_id} {whole} ."
        return "\n".join(lines) + f"\nclaim:{name} {{\n    {statement}\n}}"
    mentions, dates, amounts = draft.of_sentence(sentence.number)
    stubs = [e for e in draft.new_entities if sentence.number in e.sentences]
    lines += names_comment(mentions, stubs)
    lines += [f"#   date {text(one_line(d.surface))}: {date_literal(d)}" for d in dates]
    lines += [f"#   amount {text(one_line(a.surface))}: {amount_node(a)}" for a in amounts]
    return "\n".join(lines) + f"\nclaim:{name} {{\n}}"


def one_line(words: str) -> str:
    """Return words with line breaks and runs of spaces made single spaces."""
    return " ".join(words.split())


def names_comment(mentions: list[Mention], stubs: list[NewEntity]) -> list[str]:
    """Return a comment line naming each entity a sentence mentions (once each)."""
    seen: dict[str, str] = {}
    for mention in mentions:
        seen.setdefault(mention.entity, mention.surface)
    for stub in stubs:
        seen.setdefault(iris.ID_NS + stub.slug, stub.name + ", new")
    if not seen:
        return []
    named = ", ".join(f"{short(e)} ({' '.join(s.split())})" for e, s in seen.items())
    return [f"#   names: {named}"]


def date_literal(value: DateValue) -> str:
    """Return a date as a typed literal at its precision, noting a year taken from the article."""
    literal = typed(value.lexical, value.datatype)
    return literal + ("  (year from the article's date)" if value.relative else "")


def amount_node(amount: Amount) -> str:
    """Return an amount as the node the model writes for it."""
    if amount.currency:
        return (
            f"[ a schema:MonetaryAmount ; schema:value {typed(str(amount.value), 'decimal')} ; "
            f"schema:currency {text(amount.currency)} ; qudt:unit cur:{amount.currency} ]"
        )
    parts = [f"a schema:QuantitativeValue ; schema:value {typed(str(amount.value), 'decimal')}"]
    if amount.unit:
        parts.append(f"qudt:unit {short_unit(amount.unit)}")
    if amount.unit_code:
        parts.append(f"schema:unitCode {text(amount.unit_code)}")
    if amount.unit_name:
        parts.append(f"schema:unitText {text(amount.unit_name)}")
    return "[ " + " ; ".join(parts) + " ]"


def short_unit(unit: str) -> str:
    """Return a QUDT unit as a unit: prefixed name."""
    return "unit:" + unit.removeprefix("http://qudt.org/vocab/unit/")


def entities_trig(draft: ArticleDraft) -> str | None:
    """Return the stubs of the new entities (None when there are none)."""
    if not draft.new_entities:
        return None
    header = (
        f"# Entities {draft.meta.article_id} names that the graph did not know, proposed by\n"
        "# `kg draft`. Give each its real type (schema:Person, schema:Organization, schema:Place,\n"
        "# ...) instead of schema:Thing, check its Spanish label, link Wikidata only with a\n"
        "# verified QID, and delete the stubs that are not entities.\n\n"
    )
    stubs = [stub_block(e) for e in draft.new_entities]
    graph = f"<{iris.GRAPH_NS}entities> {{\n" + "\n\n".join(stubs) + "\n}\n"
    return header + prefixes(draft.meta.article_id) + "\n" + graph


def stub_block(entity: NewEntity) -> str:
    """Return one new entity's stub, with the sentences that name it."""
    where = ", ".join(str(n).zfill(2) for n in entity.sentences)
    same = (
        f" ;\n        owl:sameAs wd:{entity.wikidata.rsplit('/', 1)[-1]}" if entity.wikidata else ""
    )
    return (
        f"    # named in sentence {where}\n"
        f"    :{entity.slug} a schema:Thing ;\n"
        f"        rdfs:label {text(entity.name, 'en')} , {text(entity.name, 'es')}{same} ."
    )
