"""merge the domain branches

Revision ID: 0008_merge
Revises: 0002_user_version, 0006_assessments, 0007_assistant
Create Date: 2026-11-22 06:54:33.535428

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.models


# revision identifiers, used by Alembic.
revision: str = '0008_merge'
down_revision: Union[str, Sequence[str], None] = ('0002_user_version', '0006_assessments', '0007_assistant')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
