from .accounts import Membership, Role
from .exports import SealedCopy
from .outline import (
    NUMERIC_TYPES,
    AnswerShape,
    AppendixTable,
    ColumnType,
    ReportTemplate,
    Section,
    TableColumn,
    TableSource,
)
from .prefill import PrefillField, PrefillSource
from .reminders import ReminderLog
from .reports import (
    EDITABLE_STATUSES,
    Answer,
    Attachment,
    AttachmentKind,
    Cell,
    Commendation,
    CommendationKind,
    DraftPart,
    ExemplaryModel,
    Report,
    ReportEvent,
    ReportStatus,
    ReportVersion,
    VersionCell,
)
from .review import ReopenRequest, ReopenStatus, ReviewComment
from .rounds import Campaign, Deadline, Extension, Round
from .units import Level, Unit, UnitType

__all__ = [
    "NUMERIC_TYPES",
    "PrefillField",
    "PrefillSource",
    "EDITABLE_STATUSES",
    "Answer",
    "AnswerShape",
    "AppendixTable",
    "Attachment",
    "AttachmentKind",
    "Campaign",
    "Cell",
    "ColumnType",
    "Commendation",
    "CommendationKind",
    "Deadline",
    "DraftPart",
    "ExemplaryModel",
    "Extension",
    "Level",
    "Membership",
    "ReminderLog",
    "ReopenRequest",
    "ReopenStatus",
    "Report",
    "ReportEvent",
    "ReportStatus",
    "ReportTemplate",
    "ReportVersion",
    "ReviewComment",
    "Role",
    "Round",
    "SealedCopy",
    "Section",
    "TableColumn",
    "TableSource",
    "Unit",
    "UnitType",
    "VersionCell",
]
