"""Event extraction: plant closures and partnerships, with status, companies, plant and jobs.

Public surface: :class:`RuleClassifier` (implements :class:`bot.domain.Classifier`),
:func:`default_classifier`, and the company table in :mod:`bot.classify.companies`.
"""

from bot.classify.classifier import RuleClassifier, default_classifier
from bot.classify.companies import CompanyMention, CompanyTable

__all__ = ["CompanyMention", "CompanyTable", "RuleClassifier", "default_classifier"]
