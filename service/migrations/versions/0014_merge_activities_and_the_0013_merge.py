"""merge processing activities with the 0013 merge into one head

Revision ID: 0014_merge
Revises: 0013_activities, 0013_merge
Create Date: 2026-12-05 18:20:00.000000

"""
from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = '0014_merge'
down_revision: Union[str, Sequence[str], None] = ('0013_activities', '0013_merge')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
