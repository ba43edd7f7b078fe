"""merge policy, session generation and vendor facts

Revision ID: 0010_merge
Revises: 0009_policy, 0009_session_generation, 0009_vendor_facts
Create Date: 2026-12-05 17:36:18.696202

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel
import service.models


# revision identifiers, used by Alembic.
revision: str = '0010_merge'
down_revision: Union[str, Sequence[str], None] = ('0009_policy', '0009_session_generation', '0009_vendor_facts')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
