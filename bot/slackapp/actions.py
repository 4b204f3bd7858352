"""The ``action_id`` names our buttons carry, shared by the renderer and the bolt listeners.

Keeping them in one module means a renamed button cannot silently stop reaching its listener.
Values stay small and self-describing (a story id, a company name, a share token).
"""

from __future__ import annotations

OPEN_ARTICLE = "dealradar_open_article"
MUTE_COMPANY = "dealradar_mute_company"
FEEDBACK_USEFUL = "dealradar_feedback_useful"
FEEDBACK_NOT_USEFUL = "dealradar_feedback_not_useful"
SHARE_REPLY = "dealradar_share_reply"

MUTE_DURATION = "7d"
METADATA_EVENT_TYPE = "dealradar_alert"
