"""Write a draft as TriG: the article layer, the claim graphs and the new-entity stubs.

This is the one module that knows the model's shape (which classes and properties a sentence,
a claim record, an annotation and a claim graph use). Everything before it (sentences, names,
dates, amounts, what the record says) is plain records; a change of the model is a change here,
and in the tests that pin its output.

A draft claim is a ``schema:Claim`` record marked ``schema:creativeWorkStatus "Draft"`` (the
marker the text checks and the model's checks both read) and a graph headed by comments that list
what the sentence names, the shared entities it speaks of, its dates and amounts, and the verified
values they meet. Where a value meets the record, the graph holds a commented skeleton of exactly
what the model wants: a triple when the value is the record's own (it can be the best), an
``rdf:Statement`` named as the build names statements when it competes with it. Claims the text
settles alone (the headline, the date) are written whole.
"""

from __future__ import annotations

import re

from pyoxigraph import BlankNode, Literal, NamedNode

from kg import iris, vocab
from kg.draft.document import (
    Amount,
    ArticleDraft,
    DateValue,
    Mention,
    NewEntity,
    Recorded,
    Sentence,
    Shared,
)
from kg.graph.statements import statement_iri
from kg.graph.textcheck import DRAFT

LOCAL_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?")
"""The local names written as prefixed names; any other IRI is written in brackets."""


def prefix_table(article_id: str) -> list[tuple[str, str]]:
    """Return the prefixes every draft file declares."""
    article = f"{iris.ID_NS}article/{article_id}/"
    return [
        ("", iris.ID_NS),
        ("article", iris.ID_NS + "article/"),
        ("sentence", article + "sentence/"),
        ("claim", f"{iris.ID_NS}claim/{article_id}/"),
        ("annotation", f"{iris.ID_NS}annotation/{article_id}/"),
        ("statement", f"{iris.ID_NS}statement/{article_id}/"),
        ("this", article),
        ("tenure", iris.ID_NS + "tenure/"),
        ("fact", iris.ID_NS + "fact/"),
        ("pek", iris.ONTOLOGY_NS),
        ("lookup", iris.ONTOLOGY_NS + "wikidata-lookup/"),
        ("rdf", vocab.RDF),
        ("rdfs", vocab.RDFS),
        ("xsd", vocab.XSD),
        ("owl", vocab.OWL),
        ("schema", vocab.SCHEMA),
        ("sem", vocab.SEM),
        ("prov", vocab.PROV),
        ("oa", vocab.OA),
        ("time", vocab.TIME),
        ("qudt", vocab.QUDT),
        ("unit", vocab.UNIT),
        ("cur", vocab.CURRENCY),
        ("wd", vocab.WD),
    ]


def text(value: str, language: str | None = None) -> str:
    """Return a string literal in Turtle syntax (escaped by pyoxigraph)."""
    return str(Literal(value, language=language))


def typed(value: str, datatype: str) -> str:
    """Return a typed literal with its datatype written as an xsd: prefixed name."""
    return f"{text(value)}^^xsd:{datatype.removeprefix(vocab.XSD)}"


def prefixes(article_id: str) -> str:
    """Return the prefix declarations every draft file starts with."""
    return "".join(f"@prefix {name}: <{ns}> .\n" for name, ns in prefix_table(article_id))


def short(iri: str, article_id: str) -> str:
    """Return an IRI as a prefixed name of the draft files (the longest namespace), or bracketed."""
    table = sorted(prefix_table(article_id), key=lambda pair: -len(pair[1]))
    for name, namespace in table:
        if iri.startswith(namespace) and LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return f"{name}:{iri[len(namespace) :]}"
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
        f'# creativeWorkStatus "{DRAFT}" still needs its statements in claims.trig: write them,\n'
        "# check its label, then delete the Draft line. A claim the sentence attributes to\n"
        "# someone says so on its record: pek:accordingTo :who . Delete a sentence's blocks\n"
        "# (and its claim) if it states nothing.\n\n"
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
        else f"        schema:creativeWorkStatus {text(DRAFT)} ;\n"
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
        "# comments above each graph list what `kg draft` found in the sentence.\n"
        "#\n"
        "# Write statements on the shared entities the comments name (a person, a border, a\n"
        "# tenure: never mint one of those again). A value the verified record already gives is\n"
        "# a triple; a value that differs from the record's competes with it, so write it as an\n"
        "# rdf:Statement named statement:<claim>.<subject>.<property> (rdf:subject,\n"
        "# rdf:predicate, rdf:object): a plain query then sees only the best value. Where a value\n"
        '# meets the record, the graph holds that skeleton: delete the "# " of the lines that are\n'
        "# true. Mint under this: only what this article alone describes (a meeting, a grant).\n\n"
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
    shared, recorded = draft.about_sentence(sentence.number)
    stubs = [e for e in draft.new_entities if sentence.number in e.sentences]
    ident = meta.article_id
    lines += names_comment(mentions, stubs, ident)
    lines += [speaks_of(thing, ident) for thing in shared]
    values: list[DateValue | Amount] = [*dates, *amounts]
    for found in values:
        lines.append(found_comment(found))
        lines += [record_comment(r, ident) for r in recorded if r.found == found]
    skeletons = [skeleton(draft, name, r) for r in recorded]
    body = "".join(f"{line}\n" for block in skeletons for line in block)
    return "\n".join(lines) + f"\nclaim:{name} {{\n{body}}}"


def one_line(words: str) -> str:
    """Return words with line breaks and runs of spaces made single spaces."""
    return " ".join(words.split())


def names_comment(mentions: list[Mention], stubs: list[NewEntity], article_id: str) -> list[str]:
    """Return a comment line naming each entity a sentence mentions (once each)."""
    seen: dict[str, str] = {}
    for mention in mentions:
        seen.setdefault(mention.entity, mention.surface)
    for stub in stubs:
        seen.setdefault(iris.ID_NS + stub.slug, stub.name + ", new")
    if not seen:
        return []
    named = ", ".join(f"{short(e, article_id)} ({one_line(s)})" for e, s in seen.items())
    return [f"#   names: {named}"]


def speaks_of(thing: Shared, article_id: str) -> str:
    """Return a comment line naming a shared entity the sentence speaks of, and why."""
    keys = ", ".join(short(k, article_id) for k in thing.keys)
    return f"#   speaks of: {short(thing.entity, article_id)} ({thing.label}; it names its {keys})"


def found_comment(found: DateValue | Amount) -> str:
    """Return a comment line with a date or amount of the sentence as the model writes it."""
    if isinstance(found, DateValue):
        return f"#   date {text(one_line(found.surface))}: {date_literal(found)}"
    return f"#   amount {text(one_line(found.surface))}: {amount_node(found)}"


def record_comment(recorded: Recorded, article_id: str) -> str:
    """Return a comment line with the verified value a date or amount of the sentence meets."""
    subject, prop = short(recorded.subject, article_id), short(recorded.property, article_id)
    value, fact = record_value(recorded, article_id), short(recorded.fact, article_id)
    return f"#     the record: {subject} {prop} {value} ({fact})"


def record_value(recorded: Recorded, article_id: str) -> str:
    """Return the record's value as Turtle (a date) or as a number and its unit (an amount)."""
    if recorded.datatype is not None:
        return typed(recorded.lexical, recorded.datatype)
    unit = short(recorded.unit, article_id) if recorded.unit else ""
    return f"{recorded.lexical} {unit}".strip()


def skeleton(draft: ArticleDraft, claim: str, recorded: Recorded) -> list[str]:
    """Return the commented statement a value meeting the record makes, as the model wants it."""
    ident = draft.meta.article_id
    subject, prop = short(recorded.subject, ident), short(recorded.property, ident)
    value = value_of(recorded.found)
    if recorded.same:
        return [
            f"    # {text(one_line(recorded.found.surface))} is the record's value: a triple.",
            f"    # {subject} {prop} {value} .",
        ]
    graph = NamedNode(f"{iris.ID_NS}claim/{ident}/{claim}")
    name = statement_iri(
        graph, NamedNode(recorded.subject), NamedNode(recorded.property), term_of(recorded.found)
    )
    return [
        f"    # {text(one_line(recorded.found.surface))} competes with the record's "
        f"{record_value(recorded, ident)}: a statement.",
        f"    # {short(name.value, ident)} a rdf:Statement ;",
        f"    #     rdf:subject {subject} ; rdf:predicate {prop} ;",
        f"    #     rdf:object {value} .",
    ]


def term_of(found: DateValue | Amount) -> Literal | BlankNode:
    """Return a date or amount of the text as the RDF term its statement holds."""
    if isinstance(found, DateValue):
        return Literal(found.lexical, datatype=NamedNode(vocab.XSD + found.datatype))
    return BlankNode()


def value_of(found: DateValue | Amount) -> str:
    """Return a date or amount of the text as the value the model writes."""
    if isinstance(found, DateValue):
        return typed(found.lexical, found.datatype)
    return amount_node(found)


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
    return "unit:" + unit.removeprefix(vocab.UNIT)


def entities_trig(draft: ArticleDraft) -> str | None:
    """Return the stubs of the new entities (None when there are none)."""
    if not draft.new_entities:
        return None
    header = (
        f"# Entities {draft.meta.article_id} names that the graph did not know, proposed by\n"
        "# `kg draft`: shared entities, which any article may speak of once they are here. Give\n"
        "# each its real type (schema:Person, schema:Organization, schema:Place, ...) instead of\n"
        "# schema:Thing, check its Spanish label, link Wikidata only with a verified QID (then\n"
        "# lookup:linked), and delete the stubs that are not entities.\n\n"
    )
    stubs = [stub_block(e) for e in draft.new_entities]
    graph = f"<{iris.GRAPH_NS}entities> {{\n" + "\n\n".join(stubs) + "\n}\n"
    return header + prefixes(draft.meta.article_id) + "\n" + graph


def stub_block(entity: NewEntity) -> str:
    """Return one new entity's stub, with the sentences that name it."""
    where = ", ".join(str(n).zfill(2) for n in entity.sentences)
    qid = entity.wikidata.rsplit("/", 1)[-1] if entity.wikidata else None
    lookup = (
        f"owl:sameAs wd:{qid} ;\n        pek:wikidataLookup lookup:linked"
        if qid
        else ("pek:wikidataLookup lookup:not-looked-up")
    )
    return (
        f"    # named in sentence {where}\n"
        f"    :{entity.slug} a schema:Thing ;\n"
        f"        rdfs:label {text(entity.name, 'en')} , {text(entity.name, 'es')} ;\n"
        f"        {lookup} ."
    )
