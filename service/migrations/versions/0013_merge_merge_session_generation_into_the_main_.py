"""merge session generation into the main line

Revision ID: 0013_merge
Revises: 0010_merge, 0012_merge
Create Date: 2026-12-05 17:58:30.380604

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.models


# revision identifiers, used by Alembic.
revision: str = '0013_merge'
down_revision: Union[str, Sequence[str], None] = ('0010_merge', '0012_merge')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
