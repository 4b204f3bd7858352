"""Event extraction: plant closures and partnerships, with status, companies, plant and jobs.

Public surface: :class:`LearnedClassifier` (the product's classifier: a model trained on
labelled news decides, the rules describe; implements :class:`bot.domain.Classifier`),
:func:`default_classifier`, the rules alone (:class:`RuleClassifier`) and the company table in
:mod:`bot.classify.companies`.
"""

from bot.classify.classifier import RuleClassifier, default_rule_classifier
from bot.classify.companies import CompanyMention, CompanyTable
from bot.classify.learned import LearnedClassifier
from bot.classify.learned import default_learned_classifier as default_classifier

__all__ = [
    "CompanyMention",
    "CompanyTable",
    "LearnedClassifier",
    "RuleClassifier",
    "default_classifier",
    "default_rule_classifier",
]
